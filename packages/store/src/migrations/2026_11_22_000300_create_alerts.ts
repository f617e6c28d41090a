import type { Kysely } from 'kysely';

/** Creates `sandbox_alerts`; `id` aliases the rowid, so "newest first" and "since id" need no extra index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sandbox_alerts')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('sandbox_type', 'text')
    .addColumn('sandbox_id', 'text')
    .addColumn('value_ms', 'real', (col) => col.notNull())
    .addColumn('threshold_ms', 'real', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
}

/** Drops `sandbox_alerts`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sandbox_alerts').execute();
}
