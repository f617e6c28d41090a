import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type { SbxDatabase } from './database.js';
import { StoreError } from './errors.js';

/** The part of a `pg` pool the store uses (Kysely's `PostgresPool`, plus error events). */
export interface PgPool extends PostgresPool {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of the `pg` module the store uses. */
export interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
  types: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Default size of the PostgreSQL connection pool of one `openDatabase()`. */
export const DEFAULT_PG_POOL_SIZE = 10;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given postgres:// URL';
  }
}

/** Loads `pg` (an optional peer dependency: SQLite users never install it), or says how to get it. */
export async function loadPg(importPg: () => Promise<unknown> = () => import('pg')): Promise<PgModule> {
  try {
    const mod = (await importPg()) as { default?: PgModule } & Partial<PgModule>;
    return (mod.default ?? mod) as PgModule;
  } catch (error) {
    throw new StoreError(
      'OPEN_FAILED',
      'A postgres:// database needs the "pg" package, which is not installed - run `npm install pg` in the ' +
        'project that installed @sbx/store or @sbx/agent-host (a clone of the sbx repository has it), or pass a ' +
        'SQLite file path instead',
      { cause: error },
    );
  }
}

/**
 * A `Kysely<SbxDatabase>` over a `pg` pool of `poolSize` connections to `url`. 64-bit integers (identity ids,
 * counts) and numerics come back as JavaScript numbers, as they do from SQLite.
 */
export async function openPostgres(
  url: string,
  poolSize: number,
  pg: PgModule,
): Promise<Kysely<SbxDatabase>> {
  const toNumber = (value: string) => Number(value);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        oid === INT8_OID || oid === NUMERIC_OID ? toNumber : pg.types.getTypeParser(oid, format),
    },
  });
  // An idle connection the server dropped is replaced on next use; it must not crash the host.
  pool.on('error', () => {});
  const db = new Kysely<SbxDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    const connection = await pool.connect();
    connection.release();
  } catch (error) {
    await db.destroy();
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'OPEN_FAILED',
      `Cannot reach the sbx PostgreSQL database at ${redactUrl(url)}: ${message} - start PostgreSQL, ` +
        'create the role and its database (createuser ROLE; createdb -O ROLE DB), or fix the postgres:// URL ' +
        '(user, password, host, port, database)',
      { cause: error },
    );
  }
  return db;
}
