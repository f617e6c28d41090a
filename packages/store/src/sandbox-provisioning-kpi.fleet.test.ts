import { SandboxProvisioningKPI } from '@sbx/store';
import { type ProvisionResult, quantile } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test-support/seeded-random.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

/** `n` provisionings spread over three hosts, one a second apart, with skewed random durations. */
function fleet(n: number, seed: number): ProvisionResult[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({
    sandboxType: 'docker',
    durationMs: Math.round(Math.exp(random() * 9) * 100) / 100,
    status: 'ok',
    timestamp: new Date(T0 + i * 1_000),
    attributes: { tenant: 't', hostId: `host-${i % 3}` },
  }));
}

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  describe('a fleet of hosts in one database', () => {
    it('answers the fleet P95 over the newest 100 rows exactly as quantile() does, and each host’s own', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      for (const seed of [1, 2, 3]) {
        const rows = fleet(37 + seed * 50, seed);
        await kpis.recordMany(rows);
        const all = (await kpis.listRecent({ type: 'docker', limit: 10_000 })).map((r) => r.durationMs);
        expect(await kpis.getP95Latency('docker')).toBe(quantile(all.slice(0, 100), 0.95));
        for (const host of ['host-0', 'host-1', 'host-2']) {
          const mine = (await kpis.listRecent({ type: 'docker', limit: 10_000, host })).map(
            (r) => r.durationMs,
          );
          expect(mine.length).toBeGreaterThan(0);
          expect(await kpis.getP95Latency('docker', { host })).toBe(quantile(mine.slice(0, 100), 0.95));
        }
      }
      expect(await kpis.getP95Latency('docker', { host: 'nobody' })).toBeUndefined();
      await db.destroy();
    });

    it('stores the host and tenant of every row, and scopes windows, phases and lists to one host', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      await kpis.recordMany(
        fleet(30, 9).map((r, i) => ({
          ...r,
          durationMs: i,
          phases: [{ name: 'create', startMs: 0, durationMs: i }],
        })),
      );
      const [newest] = await kpis.listRecent({ host: 'host-1' });
      expect(newest).toMatchObject({ hostId: 'host-1', tenant: 't', durationMs: 28 });
      const stats = await kpis.getStats('docker', { host: 'host-2', window: 5 });
      expect(stats.n).toBe(5);
      expect(
        (await kpis.listSlaWindow('docker', { host: 'host-0', size: 3 })).map((r) => r.durationMs),
      ).toEqual([27, 24, 21]);
      const [phase] = await kpis.getPhaseBreakdown('docker', { host: 'host-0', window: 3 });
      expect(phase?.count).toBe(3);
      expect((await kpis.getStats('docker')).n).toBe(30);
      // One host's all-time figures come from its own rollup rows: 10 of the 30.
      expect((await kpis.getStats('docker', { host: 'host-0', window: 'all' })).n).toBe(10);
      await expect(kpis.getP95Latency('docker', { host: '' })).rejects.toMatchObject({ field: 'host' });
      await db.destroy();
    });
  });
});
