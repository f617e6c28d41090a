import { ChangeFeed, openDatabase, SandboxProvisioningKPI, type SbxDatabase } from '@sbx/store';
import type { FailureCause, ProvisionResult } from '@sbx/timing';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mixed } from './rollup-fixtures.test-support.js';
import { SBX_MIGRATIONS } from './sbx-migrations.js';
import { feedSettled, openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');

function ready(i: number, durationMs = 100): ProvisionResult {
  return { sandboxType: 'docker', durationMs, status: 'ok', timestamp: new Date(T0 + i * 1_000) };
}
function failed(i: number, code: string, cause?: FailureCause): ProvisionResult {
  return {
    sandboxType: 'docker',
    durationMs: 40,
    status: 'sla_breach',
    timestamp: new Date(T0 + i * 1_000),
    error: { name: 'BootstrapError', message: `${code} x`, code, ...(cause ? { cause } : {}) },
  };
}

let db: Kysely<SbxDatabase>;
let kpis: SandboxProvisioningKPI;

describe.each(TEST_DIALECTS)('failure causes on %s', (dialect) => {
  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    kpis = new SandboxProvisioningKPI(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('stores each failure with its cause and lists it back; one without a cause is the platform', async () => {
    await kpis.recordMany([
      failed(0, 'IMAGE_NOT_FOUND', 'caller'),
      failed(1, 'ENGINE_UNREACHABLE', 'platform'),
      failed(2, 'START_FAILED'),
      ready(3),
    ]);
    const rows = await kpis.listRecent();
    expect(rows.map((r) => [r.error?.code, r.error?.cause])).toEqual([
      [undefined, undefined],
      ['START_FAILED', 'platform'],
      ['ENGINE_UNREACHABLE', 'platform'],
      ['IMAGE_NOT_FOUND', 'caller'],
    ]);
    const stored = await db
      .selectFrom('sandbox_provisioning_kpis')
      .select(['error_code', 'failure_cause'])
      .orderBy('timestamp')
      .execute();
    expect(stored.map((r) => r.failure_cause)).toEqual(['caller', 'platform', 'platform', null]);
  });

  it('refuses a cause that is not platform or caller, naming the field, and writes nothing', async () => {
    const bad = failed(0, 'X', 'nobody' as FailureCause);
    await expect(kpis.record(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'error.cause' });
    expect(await kpis.count()).toBe(0);
  });

  it("meets the SLA when only the caller's failures fill the window, and counts them apart everywhere", async () => {
    // 60 ready, 40 caller failures (a misspelt image, a command that exits at once), 2 cancelled, 3 platform failures.
    const rows = [
      ...Array.from({ length: 60 }, (_, i) => ready(i)),
      ...Array.from({ length: 40 }, (_, i) =>
        failed(100 + i, i % 2 ? 'IMAGE_NOT_FOUND' : 'READINESS_FAILED', 'caller'),
      ),
      failed(200, 'CANCELLED', 'caller'),
      failed(201, 'CANCELLED'),
      ...Array.from({ length: 3 }, (_, i) => failed(300 + i, 'PULL_FAILED', 'platform')),
    ];
    await kpis.recordMany(rows);
    const window = await kpis.getStats('docker');
    expect(window).toMatchObject({ n: 63, failures: 3, callerFailures: 40, cancelled: 2, slaMet: true });
    expect(window.verdict).toMatchObject({ status: 'met', n: 63, failures: 3, callerFailures: 40 });
    for (const range of [{ window: 'all' as const }, { since: new Date(T0 - 3_600_000) }]) {
      expect(await kpis.getStats('docker', range)).toMatchObject({
        n: 63,
        failures: 3,
        callerFailures: 40,
        cancelled: 2,
        slaMet: true,
      });
    }
    expect(await kpis.count()).toBe(rows.length);
    expect((await kpis.listSlaWindow('docker')).some((r) => r.error?.cause === 'caller')).toBe(false);
    await feedSettled(db, dialect);
    const feed = await new ChangeFeed(db).provisionsSince(0);
    expect(feed.filter((c) => c.callerFailed)).toHaveLength(40);
    expect(feed.filter((c) => c.failed)).toHaveLength(3);
    expect(feed.filter((c) => c.cancelled)).toHaveLength(2);
  });

  it('counts the caller failures in a full window only within its time span', async () => {
    // 10 old caller failures, then 5 ready, 3 caller failures, 5 ready: a window of 10 spans the newest 13.
    await kpis.recordMany([
      ...Array.from({ length: 10 }, (_, i) => failed(i, 'IMAGE_NOT_FOUND', 'caller')),
      ...Array.from({ length: 5 }, (_, i) => ready(20 + i)),
      ...Array.from({ length: 3 }, (_, i) => failed(30 + i, 'IMAGE_NOT_FOUND', 'caller')),
      ...Array.from({ length: 5 }, (_, i) => ready(40 + i)),
    ]);
    expect(await kpis.getStats('docker', { window: 10 })).toMatchObject({ n: 10, callerFailures: 3 });
    expect(await kpis.getStats('docker', { window: 11 })).toMatchObject({ n: 10, callerFailures: 13 });
  });

  it('keeps the rollups exact per cause through inserts and deletes', async () => {
    const rows = mixed(400, 31);
    await kpis.recordMany(rows);
    const want = (list: ProvisionResult[]) => ({
      callerFailures: list.filter((r) => r.error?.cause === 'caller').length,
      cancelled: list.filter((r) => r.error?.code === 'CANCELLED').length,
    });
    expect(want(rows).callerFailures).toBeGreaterThan(5);
    expect(await kpis.getStats('docker', { window: 'all' })).toMatchObject(want(rows));
    const cut = new Date(Date.parse('2026-11-01T03:00:00.000Z')).toISOString();
    await db.deleteFrom('sandbox_provisioning_kpis').where('timestamp', '<', cut).execute();
    const kept = rows.filter((r) => r.timestamp.toISOString() >= cut);
    expect(await kpis.getStats('docker', { window: 'all' })).toMatchObject(want(kept));
  });
});

describe('the failure cause migration', () => {
  it('backfills rows written before causes from their code, so old caller mistakes stop breaching', async () => {
    const old = await openDatabase(':memory:', { migrate: false });
    try {
      const names = Object.keys(SBX_MIGRATIONS);
      const before = names[names.indexOf('2026_12_07_000000_add_failure_causes') - 1] as string;
      const migrator = new Migrator({
        db: old,
        provider: { getMigrations: async () => ({ ...SBX_MIGRATIONS }) },
      });
      await migrator.migrateTo(before);
      const rows: [string, string | null, string][] = [
        ['a', null, ''],
        ['b', 'IMAGE_NOT_FOUND', 'image nope:1 is not present'],
        ['c', 'READINESS_FAILED', 'sandbox x is exited (exit code 0) and never became ready'],
        [
          'd',
          'READINESS_FAILED',
          'sandbox x is exited (exit code 137, killed for running out of memory) and never became ready',
        ],
        ['e', 'DEADLINE_EXCEEDED', 'provisioning deadline exceeded during the ready phase after 30000 ms'],
        ['f', 'DEADLINE_EXCEEDED', 'provisioning deadline exceeded during the image phase after 30000 ms'],
        ['g', 'ENGINE_UNREACHABLE', 'Docker engine not reachable'],
      ];
      for (const [id, code, message] of rows) {
        const error = code === null ? sql`null, null, null` : sql`'BootstrapError', ${message}, ${code}`;
        await sql`insert into sandbox_provisioning_kpis
          (id, sandbox_type, duration_ms, status, timestamp, error_name, error_message, error_code)
          values (${id}, 'docker', 5, ${code === null ? 'ok' : 'sla_breach'}, ${`2026-11-01T00:00:0${id.charCodeAt(0) - 97}.000Z`}, ${error})`.execute(
          old,
        );
      }
      const judged = () =>
        sql<{ n: number; failures: number }>`select sum(n) as n, sum(failures) as failures
          from sandbox_provisioning_rollups where period = ''`.execute(old);
      expect((await judged()).rows[0]).toMatchObject({ n: 7, failures: 6 });
      await migrator.migrateToLatest();
      const kpis = new SandboxProvisioningKPI(old);
      const listed = await kpis.listRecent();
      expect(Object.fromEntries(listed.map((r) => [r.id, r.error?.cause ?? null]))).toEqual({
        a: null,
        b: 'caller',
        c: 'caller',
        d: 'platform',
        e: 'caller',
        f: 'platform',
        g: 'platform',
      });
      expect(await kpis.getStats('docker', { window: 'all' })).toMatchObject({
        n: 4,
        failures: 3,
        callerFailures: 3,
      });
      expect(await kpis.getStats('docker')).toMatchObject({ n: 4, failures: 3, callerFailures: 3 });
      // And back: the rollups judge every failure again.
      const { error } = await migrator.migrateTo(before);
      expect(error).toBeUndefined();
      expect((await judged()).rows[0]).toMatchObject({ n: 7, failures: 6 });
    } finally {
      await old.destroy();
    }
  });
});
