import { migrateToLatest, SandboxProvisioningKPI, type SbxDatabase, SKETCH_RELATIVE_ERROR } from '@sbx/store';
import { type ProvisionResult, quantile, SLA_LIMITS, slaVerdict } from '@sbx/timing';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { sbxMigrationProvider } from './sbx-migrations.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = Date.parse('2026-11-01T00:00:00.000Z');
const HOUR = 3_600_000;

/** Docker provisionings over 6 hours: log-spread durations 0.2 ms to 60 s, failures, cancellations, two limits. */
function mixed(count: number, seed: number): ProvisionResult[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const durationMs = 0.2 * Math.exp(random() * Math.log(300_000));
    const roll = random();
    const error =
      roll < 0.04
        ? { name: 'BootstrapError', message: 'x', code: 'START_FAILED' }
        : roll < 0.07
          ? { name: 'BootstrapError', message: 'x', code: 'CANCELLED' }
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
function exact(rows: ProvisionResult[]) {
  const valid = rows.filter((r) => r.error?.code !== 'CANCELLED');
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
    cancelled: rows.length - valid.length,
    slaBreaches: verdict.breaches,
    maxMs: ready.length ? Math.max(...ready) : undefined,
    meanMs: ready.length ? ready.reduce((a, b) => a + b, 0) / ready.length : undefined,
    p50Ms: quantile(ready, 0.5),
    p95Ms: quantile(ready, 0.95),
    p99Ms: quantile(ready, 0.99),
    verdict,
  };
}

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  const open: Kysely<SbxDatabase>[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.destroy();
  });
  async function fresh() {
    const db = await openTestDatabase(dialect);
    open.push(db);
    return { db, kpis: new SandboxProvisioningKPI(db) };
  }

  /** Stats from the rollups must equal the exact figures: counts, mean, max and verdict exactly, quantiles within 1%. */
  function expectAgrees(
    stats: Awaited<ReturnType<SandboxProvisioningKPI['getStats']>>,
    rows: ProvisionResult[],
  ) {
    const want = exact(rows);
    expect(stats).toMatchObject({ n: want.n, failures: want.failures, cancelled: want.cancelled });
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

  describe('the rollups the triggers keep', () => {
    it('give all-time stats equal to the rows: counts, mean, max and verdict exact, quantiles within 1%', async () => {
      const { kpis } = await fresh();
      const rows = mixed(3_000, 5);
      // In several batches and single writes, as a host writes them.
      await kpis.recordMany(rows.slice(0, 2_000));
      for (const r of rows.slice(2_000, 2_050)) await kpis.record(r);
      await kpis.recordMany(rows.slice(2_050));
      expectAgrees(await kpis.getStats('docker', { window: 'all' }), rows);
    });

    it('give stats over whole UTC hours', async () => {
      const { kpis } = await fresh();
      const rows = mixed(2_000, 9);
      await kpis.recordMany(rows);
      // 01:17 to 03:05 widens to 01:00 (inclusive) to 04:00 (exclusive).
      const since = new Date(BASE + HOUR + 17 * 60_000);
      const until = new Date(BASE + 3 * HOUR + 5 * 60_000);
      const inRange = rows.filter(
        (r) => r.timestamp.getTime() >= BASE + HOUR && r.timestamp.getTime() < BASE + 4 * HOUR,
      );
      const stats = await kpis.getStats('docker', { since, until });
      expect(stats.window).toEqual({ since: new Date(BASE + HOUR), until: new Date(BASE + 4 * HOUR) });
      expectAgrees(stats, inRange);
      const open = await kpis.getStats('docker', { since: new Date(BASE + 5 * HOUR) });
      expectAgrees(
        open,
        rows.filter((r) => r.timestamp.getTime() >= BASE + 5 * HOUR),
      );
      await expect(kpis.getStats('docker', { until })).rejects.toMatchObject({ field: 'since' });
      await expect(kpis.getStats('docker', { since, window: 10 })).rejects.toMatchObject({ field: 'window' });
      await expect(kpis.getStats('docker', { since: new Date(Number.NaN) })).rejects.toMatchObject({
        field: 'since',
      });
    });

    it('stay equal to the rows when rows are deleted, the maximum included', async () => {
      const { db, kpis } = await fresh();
      const rows = mixed(600, 13);
      await kpis.recordMany(rows);
      const max = Math.max(...rows.filter((r) => !r.error).map((r) => r.durationMs));
      await db.deleteFrom('sandbox_provisioning_kpis').where('duration_ms', '>=', max).execute();
      await db.deleteFrom('sandbox_provisioning_kpis').where('duration_ms', '<', 1).execute();
      const kept = rows.filter((r) => r.durationMs < max && r.durationMs >= 1);
      expectAgrees(await kpis.getStats('docker', { window: 'all' }), kept);
      await db.deleteFrom('sandbox_provisioning_kpis').execute();
      const empty = await kpis.getStats('docker', { window: 'all' });
      expect(empty).toMatchObject({ n: 0, cancelled: 0, maxMs: undefined, p95Ms: undefined });
      const { rows: left } = await sql<{
        n: number;
      }>`select count(*) as n from sandbox_provisioning_latency_buckets`.execute(db);
      expect(left[0]?.n).toBe(0);
    });

    // SQLite only: PostgreSQL databases start at the current schema, there is no older one to migrate.
    it.runIf(dialect === 'sqlite')(
      'are filled from the rows already there when an older database is migrated',
      async () => {
        const db = await openTestDatabase(dialect, { migrate: false });
        open.push(db);
        const migrator = new Migrator({ db, provider: sbxMigrationProvider() });
        expect((await migrator.migrateTo('2026_11_22_000300_create_alerts')).error).toBeUndefined();
        const rows = mixed(800, 21);
        for (const [i, r] of rows.entries()) {
          // Rows of the previous version; some without a stored limit, which the migration fills in.
          await sql`insert into sandbox_provisioning_kpis (id, sandbox_type, duration_ms, status, timestamp,
        sla_limit_ms, error_name, error_message, error_code) values (${`r${i}`}, ${r.sandboxType}, ${r.durationMs},
        ${r.status}, ${r.timestamp.toISOString()}, ${i % 10 === 0 ? null : r.slaLimitMs}, ${r.error?.name ?? null},
        ${r.error?.message ?? null}, ${r.error?.code ?? null})`.execute(db);
          if (i % 10 === 0) r.slaLimitMs = SLA_LIMITS.docker;
        }
        await migrateToLatest(db);
        expectAgrees(await new SandboxProvisioningKPI(db).getStats('docker', { window: 'all' }), rows);
      },
    );
  });
});
