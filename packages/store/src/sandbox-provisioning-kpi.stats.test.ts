import { SandboxProvisioningKPI, type SbxDatabase, StoreError } from '@sbx/store';
import { type ProvisionResult, type SandboxType, SLA_LIMITS } from '@sbx/timing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test-support/seeded-random.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const BASE = Date.parse('2026-11-01T00:00:00.000Z');

function result(type: SandboxType, durationMs: number, minute: number, extra: Partial<ProvisionResult> = {}) {
  return {
    sandboxType: type,
    durationMs,
    status: durationMs > SLA_LIMITS[type] ? 'sla_breach' : 'ok',
    timestamp: new Date(BASE + minute * 60_000),
    ...extra,
  } satisfies ProvisionResult;
}

// The textbook nearest-rank percentile, written out independently of @sbx/timing: the smallest value with at
// least p% of the values at or below it, i.e. the ceil(p/100 * n)-th smallest.
function textbookPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[Math.max(rank, 1) - 1] as number;
}

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  let db: Kysely<SbxDatabase>;
  let kpis: SandboxProvisioningKPI;

  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    kpis = new SandboxProvisioningKPI(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('getP95Latency', () => {
    it('equals the statistically correct nearest-rank P95 of 100 synthetic docker rows (within 1 ms)', async () => {
      const random = mulberry32(42);
      // Log-normal-ish provisioning times around 2 s with a long tail.
      const durations = Array.from(
        { length: 100 },
        () => Math.round(2_000 * Math.exp(random() * 1.5) * 1000) / 1000,
      );
      await kpis.recordMany(durations.map((d, i) => result('docker', d, i)));

      const p95 = await kpis.getP95Latency('docker');
      const expected = textbookPercentile(durations, 95);
      // For 100 rows the old implementation's index floor(100 * 0.95) - 1 = 94 picks the same value.
      expect(expected).toBe([...durations].sort((a, b) => a - b)[Math.floor(100 * 0.95) - 1]);
      expect(p95).toBeDefined();
      expect(Math.abs((p95 as number) - expected)).toBeLessThanOrEqual(1);
    });

    it('is the 95th of the values 1..100 recorded in shuffled order', async () => {
      const random = mulberry32(7);
      const values = Array.from({ length: 100 }, (_, i) => i + 1).sort(() => random() - 0.5);
      for (const [i, v] of values.entries()) await kpis.record(result('docker', v, i));
      expect(await kpis.getP95Latency('docker')).toBe(95);
    });

    it('is undefined, not 0, before anything was recorded', async () => {
      expect(await kpis.getP95Latency('docker')).toBeUndefined();
      expect(await kpis.getP95Latency('webcontainer')).toBeUndefined();
    });

    it('uses every row when fewer than 100 were recorded', async () => {
      const durations = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10..200
      await kpis.recordMany(durations.map((d, i) => result('docker', d, i)));
      // ceil(0.95 * 20) = 19th smallest.
      expect(await kpis.getP95Latency('docker')).toBe(190);

      await db.deleteFrom('sandbox_provisioning_kpis').execute();
      await kpis.record(result('docker', 1234.5, 0));
      expect(await kpis.getP95Latency('docker')).toBe(1234.5);
    });

    it('ignores rows of the other sandbox type', async () => {
      await kpis.recordMany(Array.from({ length: 100 }, (_, i) => result('docker', i + 1, i)));
      await kpis.recordMany(
        Array.from({ length: 100 }, (_, i) => result('webcontainer', 50_000 + i, 200 + i)),
      );
      expect(await kpis.getP95Latency('docker')).toBe(95);
      expect(await kpis.getP95Latency('webcontainer')).toBe(50_094);
    });

    it('counts only the 100 most recent rows, by timestamp rather than by insertion order', async () => {
      // The newest 100 are recorded first; 50 older, much slower rows arrive afterwards (a late backfill).
      await kpis.recordMany(Array.from({ length: 100 }, (_, i) => result('docker', i + 1, 1_000 + i)));
      await kpis.recordMany(Array.from({ length: 50 }, (_, i) => result('docker', 90_000 + i, i)));
      expect(await kpis.getP95Latency('docker')).toBe(95);

      // 10 newer slow rows push the 10 oldest of the fast ones out of the window.
      await kpis.recordMany(Array.from({ length: 10 }, (_, i) => result('docker', 60_000 + i, 5_000 + i)));
      const window = [
        ...Array.from({ length: 90 }, (_, i) => i + 11),
        ...Array.from({ length: 10 }, (_, i) => 60_000 + i),
      ];
      expect(await kpis.getP95Latency('docker')).toBe(textbookPercentile(window, 95));
    });

    it('breaks timestamp ties by insertion order (the later insert is newer)', async () => {
      await kpis.recordMany(Array.from({ length: 100 }, () => result('docker', 5, 0)));
      await kpis.recordMany(Array.from({ length: 100 }, () => result('docker', 7, 0)));
      expect(await kpis.getP95Latency('docker')).toBe(7);
      expect((await kpis.getStats('docker')).maxMs).toBe(7);
    });

    it('refuses an unknown sandbox type', async () => {
      await expect(kpis.getP95Latency('vm' as SandboxType)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'sandboxType',
      });
    });
  });

  describe('getStats', () => {
    it('reports n, ready-latency quantiles, mean, max, breaches, failures and success rate over the newest 100', async () => {
      const random = mulberry32(3);
      const all: ProvisionResult[] = Array.from({ length: 130 }, (_, i) => {
        const d = Math.round(random() * 40_000);
        const failed = i % 9 === 0;
        return result('docker', d, i, {
          status: failed || d > 30_000 ? 'sla_breach' : 'ok',
          ...(failed ? { error: { name: 'BootstrapError', message: 'boom' } } : {}),
        });
      });
      await kpis.recordMany(all);
      const newest = all.slice(30);
      // Latency is what the ready ones took: a failure never became ready, so its few ms are no latency.
      const ready = newest.filter((r) => !r.error).map((r) => r.durationMs);

      const stats = await kpis.getStats('docker');
      expect(stats).toMatchObject({
        sandboxType: 'docker',
        window: 100,
        n: 100,
        p50Ms: textbookPercentile(ready, 50),
        p95Ms: textbookPercentile(ready, 95),
        p99Ms: textbookPercentile(ready, 99),
        maxMs: Math.max(...ready),
        slaLimitMs: 30_000,
        slaBreaches: newest.filter((r) => r.status === 'sla_breach').length,
        failures: newest.filter((r) => r.error).length,
        cancelled: 0,
        approximate: false,
      });
      expect(stats.meanMs).toBeCloseTo(ready.reduce((a, b) => a + b, 0) / ready.length, 9);
      expect(stats.successRate).toBeCloseTo(1 - stats.failures / 100, 12);
      // 11 failures and more slow ones: far more than the 5 breaches the P95 allows.
      expect(stats.verdict).toMatchObject({ status: 'breached', reason: 'failures', n: 100 });
      expect(stats.slaMet).toBe(false);
    });

    it("covers every row with window 'all' (from the rollups) and only the newest n with a numeric window", async () => {
      await kpis.recordMany(Array.from({ length: 300 }, (_, i) => result('webcontainer', i + 1, i)));
      const all = await kpis.getStats('webcontainer', { window: 'all' });
      expect(all).toMatchObject({ window: 'all', n: 300, maxMs: 300, approximate: true, slaBreaches: 0 });
      // The sketch answers within 1% of the exact nearest-rank values 150, 285 and 297.
      expect(Math.abs((all.p50Ms as number) / 150 - 1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs((all.p95Ms as number) / 285 - 1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs((all.p99Ms as number) / 297 - 1)).toBeLessThanOrEqual(0.01);
      expect(all.meanMs).toBeCloseTo(150.5, 9);

      const last10 = await kpis.getStats('webcontainer', { window: 10 });
      expect(last10).toMatchObject({ window: 10, n: 10, p50Ms: 295, p95Ms: 300, maxMs: 300, slaMet: true });
    });

    it('says whether the SLA is met: the P95, each row judged by the limit stored with it', async () => {
      await kpis.recordMany(
        Array.from({ length: 20 }, (_, i) => result('webcontainer', i < 19 ? 9_000 : 12_000, i)),
      );
      expect((await kpis.getStats('webcontainer')).slaMet).toBe(true);
      await kpis.recordMany(Array.from({ length: 2 }, (_, i) => result('webcontainer', 10_001, 100 + i)));
      const stats = await kpis.getStats('webcontainer');
      expect(stats.p95Ms).toBe(10_001);
      expect(stats.slaMet).toBe(false);
      expect(stats.slaBreaches).toBe(3);
      expect(stats.verdict).toMatchObject({ status: 'breached', reason: 'latency', p95Ms: 10_001 });
    });

    it('reports n = 0 with undefined durations, rate and SLA verdict when nothing was recorded', async () => {
      await kpis.record(result('docker', 100, 0));
      for (const window of ['all', 100] as const) {
        const stats = await kpis.getStats('webcontainer', { window });
        expect(stats).toMatchObject({
          sandboxType: 'webcontainer',
          window,
          n: 0,
          slaLimitMs: SLA_LIMITS.webcontainer,
          slaBreaches: 0,
          failures: 0,
          cancelled: 0,
          successRate: undefined,
          slaMet: undefined,
          verdict: { status: 'no-data', n: 0, p95Ms: undefined },
        });
        for (const key of ['p50Ms', 'p95Ms', 'p99Ms', 'meanMs', 'maxMs'] as const)
          expect(stats[key]).toBeUndefined();
      }
    });

    it.each([0, -1, 1.5, Number.NaN, '100', 'ALL', 10_001])('refuses window %s', async (window) => {
      const error = await kpis.getStats('docker', { window: window as number }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'window' });
    });
  });

  describe('getPhaseBreakdown', () => {
    const phased = (minute: number, create: number, start: number, extra?: string) =>
      result('docker', create + start + 10, minute, {
        phases: [
          { name: 'create', startMs: 0, durationMs: create },
          { name: 'start', startMs: create, durationMs: start },
          ...(extra ? [{ name: extra, startMs: create + start, durationMs: 10 }] : []),
        ],
      });

    it('summarises each phase over the window, in the order the phases run', async () => {
      await kpis.recordMany([phased(0, 100, 1_000), phased(1, 300, 2_000, 'ready'), phased(2, 200, 3_000)]);
      const phases = await kpis.getPhaseBreakdown('docker');
      expect(phases.map((p) => p.phase)).toEqual(['create', 'start', 'ready']);
      expect(phases[0]).toEqual({
        phase: 'create',
        count: 3,
        meanMs: 200,
        p50Ms: 200,
        p95Ms: 300,
        maxMs: 300,
        meanStartMs: 0,
      });
      expect(phases[1]).toMatchObject({
        phase: 'start',
        count: 3,
        meanMs: 2_000,
        p50Ms: 2_000,
        maxMs: 3_000,
      });
      expect(phases[2]).toMatchObject({ phase: 'ready', count: 1, meanMs: 10, meanStartMs: 2_300 });
    });

    it('reads only the phases of the newest provisionings of that type', async () => {
      await kpis.recordMany([phased(0, 9_999, 9_999), phased(1, 100, 100), phased(2, 200, 200)]);
      await kpis.record(
        result('webcontainer', 5, 3, { phases: [{ name: 'boot', startMs: 0, durationMs: 5 }] }),
      );
      const phases = await kpis.getPhaseBreakdown('docker', { window: 2 });
      expect(phases.map((p) => [p.phase, p.count, p.maxMs])).toEqual([
        ['create', 2, 200],
        ['start', 2, 200],
      ]);
      expect(await kpis.getPhaseBreakdown('webcontainer')).toHaveLength(1);
    });

    it('is empty without phases and refuses a non-numeric window', async () => {
      await kpis.record(result('docker', 1, 0));
      expect(await kpis.getPhaseBreakdown('docker')).toEqual([]);
      await expect(
        kpis.getPhaseBreakdown('docker', { window: 'all' as unknown as number }),
      ).rejects.toMatchObject({
        field: 'window',
      });
    });
  });
});
