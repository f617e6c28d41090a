import { describe, expect, it } from 'vitest';
import { JOB_OUTPUT_LINES, jobOutput } from './format.js';

describe('jobOutput (sbx provision --exec)', () => {
  it('shows what the job printed under its row, stdout then stderr', () => {
    expect(jobOutput({ stdout: 'hi\n', stderr: '' })).toBe('\n  | hi');
    expect(jobOutput({ stdout: 'a\nb', stderr: 'oops\n' })).toBe('\n  | a\n  | b\n  ! oops');
    expect(jobOutput({ stdout: '', stderr: '' })).toBe('');
  });

  it('caps the lines and their length, saying how many more there were', () => {
    const many = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
    const shown = jobOutput({ stdout: many, stderr: '' }).split('\n').slice(1);
    expect(shown).toHaveLength(JOB_OUTPUT_LINES + 1);
    expect(shown.at(-1)).toBe(`  | ... (${12 - JOB_OUTPUT_LINES} more line(s))`);
    expect(jobOutput({ stdout: 'x'.repeat(10_000), stderr: '' })).toHaveLength('\n  | '.length + 203);
  });
});
