import { type Kysely, Migrator } from 'kysely';
import type { SbxDatabase } from './database.js';
import { StoreError } from './errors.js';
import { sbxMigrationProvider } from './sbx-migrations.js';

/**
 * Brings the schema to the latest version and resolves to the names of the migrations it applied (none when
 * the database is up to date). Pending migrations run in one transaction: on failure nothing is kept.
 */
export async function migrateToLatest(db: Kysely<SbxDatabase>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: sbxMigrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'MIGRATION_FAILED',
      `Could not migrate the sbx database${failed ? ` (migration ${failed})` : ''}: ${message} - the schema ` +
        'was left as it was; if another sbx version wrote this file, use that version or a new database path',
      { cause: error },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
