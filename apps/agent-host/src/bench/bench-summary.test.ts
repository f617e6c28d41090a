import { describe, expect, it } from 'vitest';
import { syntheticRun } from './bench-fixture.js';
import { formatBench } from './bench-print.js';
import { summarize } from './bench-summary.js';

describe('summarize', () => {
  it('splits by what was asked and how it was answered, with the ratio to cold on both measures', () => {
    const run = syntheticRun(20);
    const s = summarize(run);
    expect(s.rows.map((r) => [r.label, r.server.n])).toEqual([
      ['cold (POST type)', 20],
      ['pool: hits', 19],
      ['pool: misses', 1],
      ['refill (background)', 24],
    ]);
    expect(s).toMatchObject({ hits: 19, misses: 1, hitRate: 0.95 });
    expect(s.coldPoolP50Ratio).toBeGreaterThan(100);
    expect(s.coldPoolRoundTripRatio).toBeGreaterThan(50);
    expect(s.targets.map((t) => [t.name, t.met])).toEqual([
      ['pool hit, server-side p95', true],
      ['pool hit, HTTP round trip p95', true],
      ['cold / pool hit p50, server side', true],
      ['cold / pool hit p50, round trip', true],
      ['container ids handed out twice', true],
      ['containers left after close', true],
    ]);
    expect(formatBench(run, s)).toContain('hit rate 95.0 % (19 of 20)');
  });

  it('judges a burst by its hits, misses, readiness and refill, and misses what went wrong', () => {
    const run = {
      ...syntheticRun(4),
      mode: 'burst' as const,
      reused: 1,
      burst: { count: 20, hits: 3, misses: 17, allReady: true, reused: 1, leaked: 0, refillBackMs: 2_500 },
    };
    const checks = Object.fromEntries(summarize(run).targets.map((t) => [t.name, t.met]));
    expect(checks).toEqual({
      'burst of 20: hits': false,
      'burst of 20: misses': false,
      'burst of 20: every sandbox ready': true,
      'burst: pool full again': false,
      'container ids handed out twice': false,
      'containers left after close': true,
    });
  });

  it('judges steady load by its hit rate', () => {
    const run = { ...syntheticRun(10), mode: 'steady' as const, rate: 8 };
    run.requests = run.requests.filter((r) => r.kind === 'pool');
    const steady = summarize(run).targets.find((t) => t.name === 'steady load, hit rate');
    expect(steady).toMatchObject({ value: 90, met: false });
  });
});
