import { type Kysely, Migrator, sql } from 'kysely';
import type { SbxDatabase } from './database.js';
import { StoreError } from './errors.js';
import { sbxMigrationProvider } from './sbx-migrations.js';
import { dialectOf } from './sql-dialect.js';

/**
 * Brings the schema to the latest version and resolves to the names of the migrations it applied (none when
 * the database is up to date). Pending migrations run in one transaction: on failure nothing is kept. Hosts
 * that start together migrate one at a time (SQLite: the write lock; PostgreSQL: Kysely's advisory lock).
 */
export async function migrateToLatest(db: Kysely<SbxDatabase>): Promise<string[]> {
  const kind = dialectOf(db);
  const migrator = new Migrator({
    db,
    provider: sbxMigrationProvider(kind),
    // Kysely looks for its bookkeeping tables in every schema unless told which: name the one sbx lives in
    // (the search_path's first), so another schema's migrations are never taken for ours.
    ...(kind === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'MIGRATION_FAILED',
      `Could not migrate the sbx ${kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} database${failed ? ` (migration ${failed})` : ''}: ${message} - the schema was left as it was; ${ADVICE[kind](error)}`,
      { cause: error },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

// What to do, worded for the engine: a SQLite file another version wrote, or a PostgreSQL role without rights.
const ADVICE = {
  sqlite: () => 'if another sbx version wrote this file, use that version or a new database path',
  postgres: (error: unknown) =>
    (error as { code?: unknown } | null)?.code === '42501'
      ? 'the role in the postgres:// URL may not create tables there: make it the database owner ' +
        '(createdb -O ROLE, or ALTER DATABASE ... OWNER TO ROLE) or GRANT CREATE ON SCHEMA public TO ROLE'
      : 'if another sbx version migrated this database, use that version or another database',
} as const;

async function currentSchema(db: Kysely<SbxDatabase>): Promise<string> {
  try {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    const schema = rows[0]?.schema;
    if (!schema) throw new Error('the search_path names no existing schema');
    return schema;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'MIGRATION_FAILED',
      `Could not migrate the sbx database: ${message} - create the schema or fix search_path`,
      { cause: error },
    );
  }
}
