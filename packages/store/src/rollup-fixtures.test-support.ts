import { type SandboxProvisioningKPI, SKETCH_RELATIVE_ERROR } from '@sbx/store';
import { type ProvisionResult, quantile, SLA_LIMITS, slaVerdict } from '@sbx/timing';
import { expect } from 'vitest';

import { mulberry32 } from '../../../test-support/seeded-random.js';

// Test support, not shipped: random provisionings and the stats they must give, computed from the rows.

export const BASE = Date.parse('2026-11-01T00:00:00.000Z');
export const HOUR = 3_600_000;

/**
 * Docker provisionings over 6 hours: log-spread durations 0.2 ms to 60 s, the platform's failures, the caller's
 * failures (shown apart, never judged), cancellations, two limits.
 */
export function mixed(count: number, seed: number): ProvisionResult[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const durationMs = 0.2 * Math.exp(random() * Math.log(300_000));
    const roll = random();
    const error =
      roll < 0.04
        ? { name: 'BootstrapError', message: 'x', code: 'START_FAILED' }
        : roll < 0.07
          ? { name: 'BootstrapError', message: 'x', code: 'CANCELLED' }
          : roll < 0.12
            ? { name: 'BootstrapError', message: 'x', code: 'IMAGE_NOT_FOUND', cause: 'caller' as const }
            : undefined;
    const slaLimitMs = random() < 0.2 ? 5_000 : SLA_LIMITS.docker;
    return {
      sandboxType: 'docker' as const,
      durationMs,
      slaLimitMs,
      status: error || durationMs > slaLimitMs ? ('sla_breach' as const) : ('ok' as const),
      timestamp: new Date(BASE + Math.floor(random() * 6 * HOUR)),
      ...(error ? { error } : {}),
    };
  });
}

/** What the stats of `rows` must be, computed here from the rows themselves. */
export function exact(rows: ProvisionResult[]) {
  const judged = rows.filter((r) => r.error?.code !== 'CANCELLED');
  const valid = judged.filter((r) => r.error?.cause !== 'caller');
  const ready = valid.filter((r) => !r.error).map((r) => r.durationMs);
  const samples = valid.map((r) => ({
    durationMs: r.durationMs,
    slaLimitMs: r.slaLimitMs as number,
    failed: r.error !== undefined,
  }));
  const verdict = slaVerdict(samples, { slaLimitMs: SLA_LIMITS.docker, window: Math.max(1, valid.length) });
  return {
    n: valid.length,
    failures: valid.length - ready.length,
    cancelled: rows.length - judged.length,
    callerFailures: judged.length - valid.length,
    slaBreaches: verdict.breaches,
    maxMs: ready.length ? Math.max(...ready) : undefined,
    meanMs: ready.length ? ready.reduce((a, b) => a + b, 0) / ready.length : undefined,
    p50Ms: quantile(ready, 0.5),
    p95Ms: quantile(ready, 0.95),
    p99Ms: quantile(ready, 0.99),
    verdict,
  };
}

/** Stats from the rollups must equal the exact figures: counts, mean, max and verdict exactly, quantiles within 1%. */
export function expectAgrees(
  stats: Awaited<ReturnType<SandboxProvisioningKPI['getStats']>>,
  rows: ProvisionResult[],
) {
  const want = exact(rows);
  expect(stats).toMatchObject({
    n: want.n,
    failures: want.failures,
    cancelled: want.cancelled,
    callerFailures: want.callerFailures,
  });
  expect(stats.slaBreaches).toBe(want.slaBreaches);
  expect(stats.maxMs).toBe(want.maxMs);
  expect(stats.meanMs).toBeCloseTo(want.meanMs as number, 6);
  for (const key of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
    const error = Math.abs((stats[key] as number) / (want[key] as number) - 1);
    expect(error, key).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR + 1e-12);
  }
  expect([stats.verdict.status, stats.verdict.reason]).toEqual([want.verdict.status, want.verdict.reason]);
  expect(stats.approximate).toBe(true);
}
