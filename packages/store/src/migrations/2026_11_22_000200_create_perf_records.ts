import type { Kysely } from 'kysely';

/** Creates `sandbox_perf_records`; `id` aliases the rowid, so "newest first" needs no extra index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sandbox_perf_records')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('start_time', 'integer', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('alert_fired', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
}

/** Drops `sandbox_perf_records`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sandbox_perf_records').execute();
}
