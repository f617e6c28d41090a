import { describe, expect, it } from 'vitest';
import { compileLogPattern, MAX_MATCHED_LINE_CHARS } from './log-pattern.js';

describe('compileLogPattern', () => {
  it('matches anywhere in the line, like RegExp.test, keeping i/m/s of a RegExp', () => {
    expect(compileLogPattern('ready').test('server ready on 3000')).toBe(true);
    expect(compileLogPattern('^ready$').test('server ready')).toBe(false);
    expect(compileLogPattern(/READY/i).test('ready')).toBe(true);
  });

  it('runs a catastrophic-backtracking pattern in linear time', () => {
    const evil = compileLogPattern('(a+)+$');
    const line = `${'a'.repeat(30)}!`;
    const t0 = performance.now();
    expect(evil.test(line)).toBe(false);
    // Backtracking would take minutes here (2^30 paths); RE2 takes microseconds.
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('matches a huge line on its first 64 KiB only', () => {
    const pattern = compileLogPattern('tail-marker');
    expect(pattern.test(`${'x'.repeat(MAX_MATCHED_LINE_CHARS)}tail-marker`)).toBe(false);
    expect(pattern.test(`tail-marker${'x'.repeat(MAX_MATCHED_LINE_CHARS)}`)).toBe(true);
  });

  it('refuses what RE2 cannot run, saying why', () => {
    expect(() => compileLogPattern('(a)\\1')).toThrow(/backreferences or lookaround/);
    expect(() => compileLogPattern('(?=a)')).toThrow(/RE2 syntax/);
    expect(() => compileLogPattern('')).toThrow(/empty/);
    expect(() => compileLogPattern('a'.repeat(1_001))).toThrow(/longer than 1000/);
  });
});
