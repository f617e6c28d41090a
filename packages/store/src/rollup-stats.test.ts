import { migrateToLatest, SandboxProvisioningKPI, type SbxDatabase } from '@sbx/store';
import { SLA_LIMITS } from '@sbx/timing';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, expectAgrees, HOUR, mixed } from './rollup-fixtures.test-support.js';
import { sbxMigrationProvider } from './sbx-migrations.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

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
