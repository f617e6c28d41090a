import { SandboxProvisioningKPI, type SbxDatabase } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, expectAgrees, HOUR, mixed } from './rollup-fixtures.test-support.js';
import { SBX_MIGRATIONS, SBX_POSTGRES_MIGRATIONS } from './sbx-migrations.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const HOSTS = ['host-a', 'host-b', 'host-c'];
const RUNTIMES = ['runc', 'runsc'];

/** `mixed()` rows spread over three hosts (and some with no host), two runtimes (and some with none). */
function fleetRows(count: number, seed: number): ProvisionResult[] {
  return mixed(count, seed).map((r, i) => {
    const hostId = i % 7 === 6 ? undefined : HOSTS[i % 3];
    const runtime = i % 5 === 4 ? undefined : RUNTIMES[i % 2];
    const attributes: Record<string, string> = {};
    if (hostId !== undefined) attributes.hostId = hostId;
    if (runtime !== undefined) attributes.runtime = runtime;
    if (i % 2 === 0) attributes.network = i % 4 === 0 ? 'none' : 'egress';
    return { ...r, attributes };
  });
}
const attr = (r: ProvisionResult, name: string) => (r.attributes as Record<string, string>)[name];

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  const open: Kysely<SbxDatabase>[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.destroy();
  });
  async function fresh(options: { migrate?: boolean } = {}) {
    const db = await openTestDatabase(dialect, options);
    open.push(db);
    return { db, kpis: new SandboxProvisioningKPI(db) };
  }

  describe('per-host and per-runtime rollups', () => {
    it('give one host’s, one runtime’s and the fleet’s all-time and hourly stats exactly', async () => {
      const { kpis } = await fresh();
      const rows = fleetRows(2_400, 31);
      await kpis.recordMany(rows.slice(0, 1_500));
      for (const r of rows.slice(1_500, 1_530)) await kpis.record(r);
      await kpis.recordMany(rows.slice(1_530));
      expectAgrees(await kpis.getStats('docker', { window: 'all' }), rows);
      for (const host of HOSTS) {
        const mine = rows.filter((r) => attr(r, 'hostId') === host);
        expectAgrees(await kpis.getStats('docker', { window: 'all', host }), mine);
        const since = new Date(BASE + 2 * HOUR);
        const until = new Date(BASE + 3 * HOUR);
        const inHours = (r: ProvisionResult) =>
          r.timestamp.getTime() >= BASE + 2 * HOUR && r.timestamp.getTime() < BASE + 4 * HOUR;
        expectAgrees(await kpis.getStats('docker', { since, until, host }), mine.filter(inHours));
      }
      for (const runtime of RUNTIMES) {
        const mine = rows.filter((r) => attr(r, 'runtime') === runtime);
        expectAgrees(await kpis.getStats('docker', { window: 'all', runtime }), mine);
        const both = mine.filter((r) => attr(r, 'hostId') === 'host-b');
        expectAgrees(await kpis.getStats('docker', { window: 'all', runtime, host: 'host-b' }), both);
      }
      const nobody = await kpis.getStats('docker', { window: 'all', host: 'nobody' });
      expect(nobody).toMatchObject({ n: 0, cancelled: 0, p95Ms: undefined });
    });

    it('stay exact per host when rows are deleted, the maximum included', async () => {
      const { db, kpis } = await fresh();
      const rows = fleetRows(600, 17);
      await kpis.recordMany(rows);
      const mine = rows.filter((r) => attr(r, 'hostId') === 'host-a' && !r.error);
      const max = Math.max(...mine.map((r) => r.durationMs));
      await db.deleteFrom('sandbox_provisioning_kpis').where('duration_ms', '>=', max).execute();
      const kept = rows.filter((r) => r.durationMs < max);
      expectAgrees(
        await kpis.getStats('docker', { window: 'all', host: 'host-a' }),
        kept.filter((r) => attr(r, 'hostId') === 'host-a'),
      );
      expectAgrees(await kpis.getStats('docker', { window: 'all' }), kept);
    });

    it('list the hosts that recorded, most first, and narrow windows to a runtime', async () => {
      const { kpis } = await fresh();
      expect(await kpis.listHosts()).toEqual([]);
      const rows = fleetRows(70, 3);
      await kpis.recordMany(rows);
      const counts = HOSTS.map((h) => ({
        hostId: h,
        provisionings: rows.filter((r) => attr(r, 'hostId') === h).length,
      })).sort((a, b) => b.provisionings - a.provisionings || (a.hostId < b.hostId ? -1 : 1));
      expect(await kpis.listHosts()).toEqual(counts);
      const [newest] = await kpis.listRecent({ runtime: 'runsc', limit: 1 });
      expect(newest?.runtime).toBe('runsc');
      const runsc = await kpis.listSlaWindow('docker', { runtime: 'runsc', size: 1_000 });
      const want = rows.filter((r) => attr(r, 'runtime') === 'runsc' && r.error?.code !== 'CANCELLED');
      expect(runsc).toHaveLength(want.length);
      const stored = await kpis.listRecent({ limit: 1_000 });
      const byNetwork = (n: string) => stored.filter((r) => r.network === n).length;
      expect([byNetwork('none'), byNetwork('egress')]).toEqual([
        rows.filter((r) => attr(r, 'network') === 'none').length,
        rows.filter((r) => attr(r, 'network') === 'egress').length,
      ]);
    });

    it('list the runtimes provisionings ran under, most first, of a type and of one host', async () => {
      const { kpis } = await fresh();
      expect(await kpis.listRuntimes()).toEqual([]);
      const rows = fleetRows(90, 5);
      const webcontainer: ProvisionResult = {
        sandboxType: 'webcontainer',
        durationMs: 900,
        status: 'ok',
        timestamp: new Date(BASE),
        attributes: { hostId: 'host-a' },
      };
      await kpis.recordMany([...rows, webcontainer]);
      const counts = (mine: ProvisionResult[]) =>
        RUNTIMES.map((runtime) => ({
          runtime,
          provisionings: mine.filter((r) => attr(r, 'runtime') === runtime).length,
        }))
          .filter((r) => r.provisionings > 0)
          .sort((a, b) => b.provisionings - a.provisionings || (a.runtime < b.runtime ? -1 : 1));
      expect(await kpis.listRuntimes()).toEqual(counts(rows));
      expect(await kpis.listRuntimes('docker')).toEqual(counts(rows));
      expect(await kpis.listRuntimes('webcontainer')).toEqual([]);
      expect(await kpis.listRuntimes('docker', { host: 'host-b' })).toEqual(
        counts(rows.filter((r) => attr(r, 'hostId') === 'host-b')),
      );
      expect(await kpis.listRuntimes(undefined, { host: 'nobody' })).toEqual([]);
      await expect(kpis.listRuntimes('vm' as 'docker')).rejects.toMatchObject({ field: 'type' });
    });

    it('refuses a runtime or network that is not a short non-empty string, writing nothing', async () => {
      const { kpis } = await fresh();
      const [good] = fleetRows(1, 1) as [ProvisionResult];
      for (const [name, value] of [
        ['runtime', ''],
        ['runtime', 42],
        ['network', 'x'.repeat(65)],
      ] as const) {
        const bad = { ...good, attributes: { [name]: value } } as unknown as ProvisionResult;
        await expect(kpis.recordMany([good, bad])).rejects.toMatchObject({
          code: 'INVALID_INPUT',
          field: `results[1].attributes.${name}`,
        });
      }
      await expect(kpis.getStats('docker', { runtime: '' })).rejects.toMatchObject({ field: 'runtime' });
      expect(await kpis.count()).toBe(0);
    });
  });

  it('keeps the rows of an older database and rebuilds its rollups per host when migrated', async () => {
    const { db } = await fresh({ migrate: false });
    const migrations = dialect === 'postgres' ? SBX_POSTGRES_MIGRATIONS : SBX_MIGRATIONS;
    const schema =
      dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
        : undefined;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ ...migrations }) },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    expect((await migrator.migrateTo('2026_11_25_000000_add_provision_source')).error).toBeUndefined();
    const rows = fleetRows(500, 8).map((r): ProvisionResult => {
      const hostId = attr(r, 'hostId');
      return { ...r, attributes: hostId === undefined ? {} : { hostId } };
    });
    // Rows of the previous version (no runtime or network; its triggers kept fleet-wide rollups).
    for (let i = 0; i < rows.length; i += 100) {
      await db
        .insertInto('sandbox_provisioning_kpis')
        .values(
          rows.slice(i, i + 100).map((r, k) => ({
            id: `old-${i + k}`,
            sandbox_type: r.sandboxType,
            duration_ms: r.durationMs,
            status: r.status,
            timestamp: r.timestamp.toISOString(),
            sla_limit_ms: r.slaLimitMs ?? null,
            error_name: r.error?.name ?? null,
            error_message: r.error?.message ?? null,
            error_code: r.error?.code ?? null,
            host_id: attr(r, 'hostId') ?? null,
            source: 'cold' as const,
          })),
        )
        .execute();
    }
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const kpis = new SandboxProvisioningKPI(db);
    expect(await kpis.count()).toBe(500);
    expectAgrees(await kpis.getStats('docker', { window: 'all' }), rows);
    expectAgrees(
      await kpis.getStats('docker', { window: 'all', host: 'host-c' }),
      rows.filter((r) => attr(r, 'hostId') === 'host-c'),
    );
    // And the triggers keep them from then on.
    const more = fleetRows(50, 9);
    await kpis.recordMany(more);
    expectAgrees(await kpis.getStats('docker', { window: 'all' }), [...rows, ...more]);
  });
});
