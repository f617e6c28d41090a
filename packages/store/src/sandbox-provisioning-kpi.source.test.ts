import { ChangeFeed, openDatabase, SandboxProvisioningKPI, type SbxDatabase } from '@sbx/store';
import type { ProvisionResult, ProvisionSource } from '@sbx/timing';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SBX_MIGRATIONS } from './sbx-migrations.js';
import { feedSettled, openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');

function row(durationMs: number, i: number, source?: ProvisionSource): ProvisionResult {
  return {
    sandboxType: 'docker',
    durationMs,
    status: 'ok',
    timestamp: new Date(T0 + i * 1_000),
    phases: [{ name: source === 'pool' ? 'acquire' : 'create', startMs: 0, durationMs }],
    ...(source ? { attributes: { tenant: 't', source } } : {}),
  };
}

let db: Kysely<SbxDatabase>;
let kpis: SandboxProvisioningKPI;

describe.each(TEST_DIALECTS)('provision sources on %s', (dialect) => {
  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    kpis = new SandboxProvisioningKPI(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('keeps the source attribute; a result without one is cold', async () => {
    await kpis.recordMany([row(100, 0), row(0.5, 1, 'pool'), row(120, 2, 'refill')]);
    const rows = await kpis.listRecent();
    expect(rows.map((r) => [r.durationMs, r.source])).toEqual([
      [120, 'refill'],
      [0.5, 'pool'],
      [100, 'cold'],
    ]);
    await feedSettled(db, dialect);
    const feed = await new ChangeFeed(db).provisionsSince(0);
    expect(feed.map((c) => c.source)).toEqual(['cold', 'pool', 'refill']);
  });

  it('refuses an unknown source, naming the field, and writes nothing', async () => {
    const bad = { ...row(1, 0), attributes: { source: 'warm' } };
    await expect(kpis.record(bad)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'attributes.source',
    });
    expect(await kpis.count()).toBe(0);
  });

  it('leaves refills out of the P95, the stats and the phases callers see, and reads each source alone', async () => {
    // 10 pool hits of 1 ms, 10 cold misses of 100 ms, and 30 slow refills no caller waited for.
    await kpis.recordMany([
      ...Array.from({ length: 10 }, (_, i) => row(1, i, 'pool')),
      ...Array.from({ length: 10 }, (_, i) => row(100, 10 + i, 'cold')),
      ...Array.from({ length: 30 }, (_, i) => row(40_000, 20 + i, 'refill')),
    ]);
    expect(await kpis.getP95Latency('docker')).toBe(100);
    const user = await kpis.getStats('docker');
    expect(user).toMatchObject({ n: 20, p50Ms: 1, maxMs: 100, slaBreaches: 0, slaMet: true });
    // All-time figures come from the rollups, which count every source.
    expect(await kpis.getStats('docker', { window: 'all' })).toMatchObject({ n: 50 });
    await expect(kpis.getStats('docker', { window: 'all', source: 'pool' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'source',
    });
    expect((await kpis.getPhaseBreakdown('docker')).map((p) => [p.phase, p.count])).toEqual([
      ['acquire', 10],
      ['create', 10],
    ]);

    expect(await kpis.getStats('docker', { source: 'pool' })).toMatchObject({ n: 10, p95Ms: 1 });
    expect(await kpis.getStats('docker', { source: 'cold' })).toMatchObject({ n: 10, p95Ms: 100 });
    expect(await kpis.getStats('docker', { source: 'refill' })).toMatchObject({ n: 30, slaMet: false });
    expect(await kpis.getP95Latency('docker', { source: 'refill' })).toBe(40_000);
  });

  it('refuses an unknown source filter', async () => {
    await expect(kpis.getStats('docker', { source: 'warm' as never })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'source',
    });
  });
});

describe('the provision source migration', () => {
  it('migrates rows written before sources existed as cold', async () => {
    const old = await openDatabase(':memory:', { migrate: false });
    try {
      const names = Object.keys(SBX_MIGRATIONS);
      const before = names[names.indexOf('2026_11_25_000000_add_provision_source') - 1] as string;
      const migrator = new Migrator({
        db: old,
        provider: { getMigrations: async () => ({ ...SBX_MIGRATIONS }) },
      });
      await migrator.migrateTo(before);
      await sql`insert into sandbox_provisioning_kpis (id, sandbox_type, duration_ms, status, timestamp)
        values ('a', 'docker', 5, 'ok', '2026-11-01T00:00:00.000Z')`.execute(old);
      await migrator.migrateToLatest();
      const [only] = await new SandboxProvisioningKPI(old).listRecent();
      expect(only).toMatchObject({ id: 'a', source: 'cold' });
    } finally {
      await old.destroy();
    }
  });
});
