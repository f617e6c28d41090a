import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { BUSY_SLICE_MS } from './busy-retry-connection.js';
import { CachingSqliteDatabase } from './caching-sqlite-database.js';
import type { SbxDatabase } from './database.js';
import { StoreError } from './errors.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { nativeModuleHint } from './native-module-hint.js';
import { DEFAULT_PG_POOL_SIZE, loadPg, openPostgres, redactUrl } from './open-postgres.js';
import { SbxSqliteDialect } from './sbx-sqlite-dialect.js';
import { isPostgresUrl } from './sql-dialect.js';

/** Where the agent host keeps its database unless told otherwise (relative to the working directory). */
export const DEFAULT_DB_PATH = './.sbx/sbx.db';

/**
 * How long a write waits for another process's write lock before failing with `DATABASE_BUSY`; the wait is
 * asynchronous (retries with backoff), the event loop is never held more than `BUSY_SLICE_MS` per attempt.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Options of `openDatabase()`. */
export interface OpenDatabaseOptions {
  /** Run the migrations before resolving (default `true`). */
  migrate?: boolean;
  /** SQLite: milliseconds to wait for a lock held by another connection (default 5,000). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
}

/**
 * What `openDatabase(target)` would open, fit to print: a SQLite path as given, a PostgreSQL URL without its
 * password (`postgres://sbx:***@db:5432/sbx`).
 */
export function describeDatabase(target: string): string {
  return isPostgresUrl(target) ? redactUrl(target.trim()) : target;
}

/**
 * Opens the sbx database and resolves to the migrated `Kysely<SbxDatabase>`: a `postgres://` (or
 * `postgresql://`) URL opens PostgreSQL through a `pg` pool (install `pg`; the database must exist), anything
 * else is a SQLite file, created if needed, or a private one for `':memory:'`. SQLite files get WAL, a busy
 * timeout and `synchronous = NORMAL`, and their parent folder is created. Close it with `db.destroy()`.
 *
 * @example
 * const db = await openDatabase(DEFAULT_DB_PATH);
 * const kpis = new SandboxProvisioningKPI(db);
 * await kpis.getP95Latency('docker');
 * await db.destroy();
 */
export async function openDatabase(
  filename: string,
  options: OpenDatabaseOptions = {},
): Promise<Kysely<SbxDatabase>> {
  if (typeof filename !== 'string' || filename.trim() === '') {
    throw new StoreError('INVALID_INPUT', 'filename must be a file path, ":memory:" or a postgres:// URL', {
      field: 'filename',
    });
  }
  const db = isPostgresUrl(filename)
    ? await openPostgres(filename.trim(), poolSize(options.poolSize), await loadPg())
    : openSqliteKysely(filename, options);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return db;
}

function poolSize(size: number | undefined): number {
  if (size === undefined) return DEFAULT_PG_POOL_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new StoreError('INVALID_INPUT', `poolSize must be a positive integer, got ${size}`, {
      field: 'poolSize',
    });
  }
  return size;
}

function openSqliteKysely(filename: string, options: OpenDatabaseOptions): Kysely<SbxDatabase> {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new StoreError(
      'INVALID_INPUT',
      `busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`,
      {
        field: 'busyTimeoutMs',
      },
    );
  }
  const raw = openSqlite(filename, busyTimeoutMs);
  return new Kysely<SbxDatabase>({
    dialect: new SbxSqliteDialect({ database: new CachingSqliteDatabase(raw), busyRetryMs: busyTimeoutMs }),
  });
}

function openSqlite(filename: string, busyTimeoutMs: number): Database.Database {
  const inMemory = filename === ':memory:';
  const where = inMemory ? 'in memory' : `at ${resolve(filename)}`;
  let raw: Database.Database | undefined;
  try {
    if (!inMemory) mkdirSync(dirname(resolve(filename)), { recursive: true });
    raw = new Database(filename, { timeout: busyTimeoutMs });
    raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // The first statement that reads the file: a file that is not SQLite fails here, not later.
    if (!inMemory) raw.pragma('journal_mode = WAL');
    // With WAL, NORMAL syncs at checkpoints only: a power cut may lose the last commits, never corrupt.
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    // Opening waited synchronously (nothing is served yet); from now on SQLite waits at most one slice on the
    // loop and the dialect retries off it (BusyRetryConnection).
    raw.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, BUSY_SLICE_MS)}`);
    return raw;
  } catch (error) {
    raw?.close();
    const hint = nativeModuleHint(error);
    if (hint !== undefined) {
      throw new StoreError('OPEN_FAILED', `Cannot open the sbx database ${where}: ${hint}`, { cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'OPEN_FAILED',
      `Cannot open the sbx database ${where}: ${message} - check that the path is a writable SQLite file ` +
        '(or a place where one can be created), or pass another path',
      { cause: error },
    );
  }
}
