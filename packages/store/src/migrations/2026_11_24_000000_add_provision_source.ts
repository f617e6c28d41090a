import type { Kysely } from 'kysely';

/**
 * Adds `source` to provisionings: `cold`, `pool` (a warm pool's member handed out) or `refill` (a pool
 * provisioning in the background). Rows written before pools existed were cold. Every KPI query now filters
 * on it, so the durations index carries it too (percentiles still walk one covering index), and a second
 * index serves the newest rows of one source.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sandbox_provisioning_kpis')
    .addColumn('source', 'text', (col) => col.notNull().defaultTo('cold'))
    .execute();
  await db.schema.dropIndex('idx_sandbox_provisioning_kpis_type_duration').execute();
  await db.schema
    .createIndex('idx_sandbox_provisioning_kpis_type_duration_source')
    .on('sandbox_provisioning_kpis')
    .columns(['sandbox_type', 'duration_ms', 'source'])
    .execute();
  await db.schema
    .createIndex('idx_sandbox_provisioning_kpis_type_source_timestamp')
    .on('sandbox_provisioning_kpis')
    .columns(['sandbox_type', 'source', 'timestamp'])
    .execute();
}

/** Drops `source` and its indexes, and restores the durations index. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idx_sandbox_provisioning_kpis_type_source_timestamp').execute();
  await db.schema.dropIndex('idx_sandbox_provisioning_kpis_type_duration_source').execute();
  await db.schema
    .createIndex('idx_sandbox_provisioning_kpis_type_duration')
    .on('sandbox_provisioning_kpis')
    .columns(['sandbox_type', 'duration_ms'])
    .execute();
  await db.schema.alterTable('sandbox_provisioning_kpis').dropColumn('source').execute();
}
