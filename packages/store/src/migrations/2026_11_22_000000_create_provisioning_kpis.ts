import type { Kysely } from 'kysely';

// Migrations take `Kysely<unknown>`: they describe the schema as it was then, not as the types say now.

/** Creates `sandbox_provisioning_kpis`, the index behind "the newest rows of a type" and one for percentiles. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sandbox_provisioning_kpis')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('sandbox_type', 'text', (col) => col.notNull())
    .addColumn('duration_ms', 'real', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('timestamp', 'text', (col) => col.notNull())
    .addColumn('sla_limit_ms', 'real')
    .addColumn('error_name', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_code', 'text')
    .execute();
  // Entries are (sandbox_type, timestamp, rowid): `ORDER BY timestamp DESC, rowid DESC LIMIT n` walks n entries.
  await db.schema
    .createIndex('idx_sandbox_provisioning_kpis_type_timestamp')
    .on('sandbox_provisioning_kpis')
    .columns(['sandbox_type', 'timestamp'])
    .execute();
  // Durations of a type in order: an all-time percentile walks the index instead of sorting every row.
  await db.schema
    .createIndex('idx_sandbox_provisioning_kpis_type_duration')
    .on('sandbox_provisioning_kpis')
    .columns(['sandbox_type', 'duration_ms'])
    .execute();
}

/** Drops `sandbox_provisioning_kpis` and its indexes. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sandbox_provisioning_kpis').execute();
}
