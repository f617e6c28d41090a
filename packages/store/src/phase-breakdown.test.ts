import { describe, expect, it } from 'vitest';
import { phaseBreakdown } from './phase-breakdown.js';

const sample = (name: string, seq: number, start_ms: number, duration_ms: number) => ({
  name,
  seq,
  start_ms,
  duration_ms,
});

describe('phaseBreakdown', () => {
  it('gives count, mean, nearest-rank p50/p95 and max per phase', () => {
    const durations = Array.from({ length: 20 }, (_, i) => i + 1);
    const [stats] = phaseBreakdown(durations.map((d) => sample('pull', 0, 0, d)));
    expect(stats).toEqual({
      phase: 'pull',
      count: 20,
      meanMs: 10.5,
      p50Ms: 10,
      p95Ms: 19,
      maxMs: 20,
      meanStartMs: 0,
    });
  });

  it('orders phases by mean start, then position, then name', () => {
    const phases = phaseBreakdown([
      sample('ready', 2, 900, 1),
      sample('start', 1, 100, 1),
      sample('create', 0, 0, 1),
      sample('b-log', 3, 900, 1),
      sample('a-log', 3, 900, 1),
    ]);
    expect(phases.map((p) => p.phase)).toEqual(['create', 'start', 'ready', 'a-log', 'b-log']);
  });

  it('is empty for no samples', () => {
    expect(phaseBreakdown([])).toEqual([]);
  });
});
