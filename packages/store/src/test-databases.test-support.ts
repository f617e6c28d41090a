import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenDatabaseOptions, openDatabase, type SbxDatabase } from '@sbx/store';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll } from 'vitest';
import { missingPostgres } from '../../../test-support/missing-service.js';

// Test support, not shipped: the dialects the shared repository suite runs on, and fresh databases for it.

/** The PostgreSQL server the tests use (a database per test file is created in it and dropped after). */
export const TEST_PG_URL = process.env.SBX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/sbx_test';

/** An engine the suite runs on. */
export type TestDialect = 'sqlite' | 'postgres';

let unreachable: unknown;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    unreachable = error;
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Both engines in CI (where a missing server fails every PostgreSQL test) and wherever the server answers;
 * locally without one, SQLite only, said once.
 */
export const TEST_DIALECTS: readonly TestDialect[] =
  process.env.CI === 'true' || (await reachable()) ? ['sqlite', 'postgres'] : ['sqlite'];
if (!TEST_DIALECTS.includes('postgres')) {
  console.warn(`${missingPostgres(TEST_PG_URL, unreachable)}; running the store suite on SQLite only`);
}

let database: Promise<string> | undefined;
let schemas = 0;

/** Runs `sql` on the server's maintenance connection (the URL as given). */
export async function adminQuery(sql: string, url = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    // In CI a missing server fails every PostgreSQL test: say which server and how to start it.
    throw new Error(missingPostgres(url, error), { cause: error });
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database; its URL. Dropped when the test file ends. */
export async function createPgDatabase(): Promise<string> {
  const name = `sbx_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  afterAll(() => adminQuery(`drop database if exists ${name} with (force)`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function fileDatabase(): Promise<string> {
  database ??= (async () => {
    const name = `sbx_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create database ${name}`);
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    return url.toString();
  })();
  return database;
}

afterAll(async () => {
  if (database === undefined) return;
  const url = new URL(await database);
  await adminQuery(`drop database if exists ${url.pathname.slice(1)} with (force)`);
});

/** A URL to a fresh, empty schema (its own `search_path`) in this test file's PostgreSQL database. */
export async function freshPgUrl(): Promise<string> {
  const url = new URL(await fileDatabase());
  const schema = `t${++schemas}`;
  await adminQuery(`create schema ${schema}`, url.toString());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A fresh, migrated (unless told otherwise) database on `dialect`: SQLite in memory, or a new PostgreSQL schema. */
export async function openTestDatabase(
  dialect: TestDialect,
  options: OpenDatabaseOptions = {},
): Promise<Kysely<SbxDatabase>> {
  return openDatabase(dialect === 'sqlite' ? ':memory:' : await freshPgUrl(), options);
}

/** `count` connections (pools) to one fresh database on `dialect` (SQLite: a temporary file), migrated once. */
export async function openSharedTestDatabases(
  dialect: TestDialect,
  count: number,
): Promise<Kysely<SbxDatabase>[]> {
  const target =
    dialect === 'sqlite' ? join(mkdtempSync(join(tmpdir(), 'sbx-store-')), 'shared.db') : await freshPgUrl();
  const first = await openDatabase(target);
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, () => openDatabase(target, { migrate: false })),
  );
  return [first, ...rest];
}

/**
 * Waits until every transaction under way on the server when called has ended, so a ChangeFeed (which hands out
 * rows written below the server-wide xmin) sees every row committed so far; on SQLite it returns at once. Another
 * test file's open transaction holds the xmin back for a while on a shared server: a read right after a write
 * would see nothing yet.
 */
export async function feedSettled(
  db: Kysely<SbxDatabase>,
  dialect: TestDialect,
  timeoutMs = 15_000,
): Promise<void> {
  if (dialect !== 'postgres') return;
  const { rows } = await sql<{ xmax: string }>`
    select txid_snapshot_xmax(txid_current_snapshot())::text as xmax`.execute(db);
  const xmax = rows[0]?.xmax ?? '0';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows: passed } = await sql<{ passed: boolean }>`
      select txid_snapshot_xmin(txid_current_snapshot()) >= ${xmax}::bigint as passed`.execute(db);
    if (passed[0]?.passed) return;
    if (Date.now() > deadline) {
      throw new Error(
        `a transaction on the test server stayed open for ${timeoutMs} ms (xmin below ${xmax})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
