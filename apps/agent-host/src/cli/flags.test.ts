import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { envPair, wholeNumber } from './flags.js';

describe('wholeNumber', () => {
  const count = wholeNumber('--count', { min: 1, max: 100_000 });

  it('takes plain decimal digits within the range', () => {
    expect(count('1')).toBe(1);
    expect(count('100000')).toBe(100_000);
    expect(count('007')).toBe(7);
  });

  it.each(['1e9', '0x10', '1.5', '-1', ' 7', '', 'ten', '0', '100001', '1e3'])('refuses %j', (text) => {
    expect(() => count(text)).toThrow(InvalidArgumentError);
    expect(() => count(text)).toThrow(/--count must be a whole number from 1 to 100000/);
  });
});

describe('envPair', () => {
  it('collects KEY=VALUE pairs, values may hold =', () => {
    expect(envPair('B=x=y', envPair('A=1'))).toEqual({ A: '1', B: 'x=y' });
  });

  it('refuses a pair without a variable name', () => {
    expect(() => envPair('=1')).toThrow(/KEY=VALUE/);
    expect(() => envPair('1A=1')).toThrow(/KEY=VALUE/);
    expect(() => envPair('novalue')).toThrow(/KEY=VALUE/);
  });
});
