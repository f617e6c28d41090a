import {
  DEFAULT_DB_PATH,
  migrateToLatest,
  openDatabase,
  SandboxProvisioningKPI,
  type SbxDatabase,
} from '@sbx/store';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SBX_MIGRATIONS, sbxMigrationProvider } from './sbx-migrations.js';
import { SbxSqliteDialect } from './sbx-sqlite-dialect.js';

const open: Kysely<SbxDatabase>[] = [];
async function memory(migrate = true): Promise<Kysely<SbxDatabase>> {
  const db = await openDatabase(':memory:', { migrate });
  open.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.destroy()));
});

async function schema(db: Kysely<SbxDatabase>) {
  const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where name not like 'sqlite_%' order by name`.execute(db);
  return rows;
}

describe('openDatabase', () => {
  it('defaults to ./.sbx/sbx.db for the app', () => {
    expect(DEFAULT_DB_PATH).toBe('./.sbx/sbx.db');
  });

  it('resolves to a migrated database with every table and index', async () => {
    const db = await memory();
    const names = (await schema(db)).map((o) => `${o.type}:${o.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'table:sandbox_provisioning_kpis',
        'index:idx_sandbox_provisioning_kpis_type_timestamp',
        'index:idx_sandbox_provisioning_kpis_type_cancelled_timestamp',
        'index:idx_sandbox_provisioning_kpis_type_source_cancelled_timestamp',
        'table:sandbox_provisioning_phases',
        'table:sandbox_provisioning_rollups',
        'table:sandbox_provisioning_latency_buckets',
        'trigger:trg_sandbox_provisioning_kpis_rollup_insert',
        'trigger:trg_sandbox_provisioning_kpis_rollup_delete',
        'table:sandbox_perf_records',
        'table:kysely_migration',
      ]),
    );
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(SBX_MIGRATIONS));
  });

  it('turns foreign keys on, so a phase cannot point at no provisioning', async () => {
    const db = await memory();
    const orphan = db
      .insertInto('sandbox_provisioning_phases')
      .values({ provision_id: 'missing', seq: 0, name: 'x', start_ms: 0, duration_ms: 1 })
      .execute();
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
  });

  it('skips the migrations with migrate: false', async () => {
    const db = await memory(false);
    expect(await schema(db)).toEqual([]);
  });

  it.each([
    ['an empty filename', '', {}, 'filename'],
    ['a non-string filename', 42, {}, 'filename'],
    ['a negative busy timeout', ':memory:', { busyTimeoutMs: -1 }, 'busyTimeoutMs'],
    ['a fractional busy timeout', ':memory:', { busyTimeoutMs: 1.5 }, 'busyTimeoutMs'],
  ])('refuses %s', async (_label, filename, options, field) => {
    await expect(openDatabase(filename as string, options)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field,
    });
  });
});

describe('migrateToLatest', () => {
  it('applies every migration once; running it again changes nothing', async () => {
    const db = await memory(false);
    expect(await migrateToLatest(db)).toEqual(Object.keys(SBX_MIGRATIONS));
    await db
      .insertInto('sandbox_perf_records')
      .values({
        sandbox_id: 'a',
        start_time: 1,
        duration_ms: 2,
        outcome: 'success',
        alert_fired: 0,
        created_at: 'x',
      })
      .execute();
    const before = await schema(db);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await schema(db)).toEqual(before);
    expect(await db.selectFrom('sandbox_perf_records').select('sandbox_id').execute()).toEqual([
      { sandbox_id: 'a' },
    ]);
  });

  it('fails with MIGRATION_FAILED and keeps nothing of a half-applied run', async () => {
    const db = await memory(false);
    // A table in the way of the last migration: the first two succeed, then roll back with it.
    await sql`create table sandbox_perf_records (x integer)`.execute(db);
    const error = await migrateToLatest(db).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'StoreError',
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('2026_11_22_000200_create_perf_records'),
    });
    expect((error as Error).cause).toBeInstanceOf(Error);
    const names = (await schema(db)).map((o) => o.name);
    expect(names).not.toContain('sandbox_provisioning_kpis');
    expect(names).not.toContain('sandbox_provisioning_phases');
  });

  it('refuses a database that a newer version migrated further', async () => {
    const db = await memory();
    await sql`insert into kysely_migration (name, timestamp) values ('2099_01_01_000000_future', '2099')`.execute(
      db,
    );
    await expect(migrateToLatest(db)).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('use that version or a new database path'),
    });
  });

  it('has a down for every migration that undoes it', async () => {
    const db = await memory();
    const migrator = new Migrator({ db, provider: sbxMigrationProvider() });
    const { error, results } = await migrator.migrateTo(NO_MIGRATIONS);
    expect(error).toBeUndefined();
    expect(results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
      Object.keys(SBX_MIGRATIONS)
        .reverse()
        .map((name) => [name, 'Down', 'Success']),
    );
    expect((await schema(db)).map((o) => o.name).filter((n) => n.startsWith('sandbox_'))).toEqual([]);
    expect(await migrateToLatest(db)).toHaveLength(Object.keys(SBX_MIGRATIONS).length);
  });
});

describe('the indexes', () => {
  async function plansOf(run: (kpis: SandboxProvisioningKPI) => Promise<unknown>): Promise<string[]> {
    const queries: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = new Kysely<SbxDatabase>({
      dialect: new SbxSqliteDialect({ database: new Database(':memory:') }),
      log: (event) => {
        queries.push(event.query);
      },
    });
    open.push(db);
    await migrateToLatest(db);
    await new SandboxProvisioningKPI(db).recordMany(
      Array.from({ length: 10 }, (_, i) => ({
        sandboxType: 'docker' as const,
        durationMs: i,
        status: 'ok' as const,
        timestamp: new Date(i),
      })),
    );
    queries.length = 0;
    await run(new SandboxProvisioningKPI(db));
    const plans: string[] = [];
    for (const query of queries.splice(0)) {
      const { rows } = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
      );
      plans.push(rows.map((r) => r.detail).join(' | '));
    }
    return plans;
  }

  it('serve the P95 query by walking the newest entries of the type, without a table scan or a sort', async () => {
    const plans = await plansOf((kpis) => kpis.getP95Latency('docker'));
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(
      /^SEARCH sandbox_provisioning_kpis USING INDEX idx_sandbox_provisioning_kpis_type_timestamp \(sandbox_type=\?\)$/,
    );
  });

  it('serve the SLA window by walking the newest valid entries of the type, without a scan or a sort', async () => {
    const plans = await plansOf((kpis) => kpis.getStats('docker', { window: 5 }));
    // The newest 5 valid rows, then the cancelled ones and caller failures in their time span (the span's rows only).
    expect(plans).toEqual([
      'SEARCH sandbox_provisioning_kpis USING INDEX idx_sandbox_provisioning_kpis_type_cancelled_timestamp (sandbox_type=? AND cancelled=?)',
      'SEARCH sandbox_provisioning_kpis USING INDEX idx_sandbox_provisioning_kpis_type_timestamp (sandbox_type=? AND timestamp>?)',
    ]);
  });

  it('serve all-time and hourly figures from the rollups, never touching the provisionings table', async () => {
    for (const options of [{ window: 'all' as const }, { since: new Date(0) }]) {
      const plans = await plansOf((kpis) => kpis.getStats('docker', options));
      expect(plans).toHaveLength(2);
      expect(plans.join(' | ')).not.toMatch(/sandbox_provisioning_kpis|SCAN/);
      expect(plans[0]).toMatch(
        /^SEARCH sandbox_provisioning_rollups USING PRIMARY KEY \(sandbox_type=\? AND period/,
      );
      expect(plans[1]).toMatch(
        /^SEARCH sandbox_provisioning_latency_buckets USING PRIMARY KEY \(sandbox_type=\? AND period/,
      );
    }
  });
});
