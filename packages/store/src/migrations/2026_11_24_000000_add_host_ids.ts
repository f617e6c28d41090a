import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../sql-dialect.js';

/**
 * Adds `host_id` (the agent host that measured the row; null for rows written before fleets) to provisionings,
 * perf records and alerts, and the indexes behind "the newest rows of a type on one host".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sandbox_provisioning_kpis', 'sandbox_perf_records', 'sandbox_alerts']) {
    await db.schema.alterTable(table).addColumn('host_id', 'text').execute();
  }
  // SQLite appends the rowid to every index entry; PostgreSQL needs the tie-breaker named.
  const order = dialectOf(db) === 'postgres' ? ', seq' : '';
  await sql
    .raw(`create index idx_sandbox_provisioning_kpis_type_host_timestamp
      on sandbox_provisioning_kpis (sandbox_type, host_id, timestamp${order})`)
    .execute(db);
  await sql
    .raw(`create index idx_sandbox_provisioning_kpis_type_host_cancelled_timestamp
      on sandbox_provisioning_kpis (sandbox_type, host_id, cancelled, timestamp${order})`)
    .execute(db);
}

/** Drops the `host_id` columns and their indexes. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idx_sandbox_provisioning_kpis_type_host_cancelled_timestamp').execute();
  await db.schema.dropIndex('idx_sandbox_provisioning_kpis_type_host_timestamp').execute();
  for (const table of ['sandbox_alerts', 'sandbox_perf_records', 'sandbox_provisioning_kpis']) {
    await db.schema.alterTable(table).dropColumn('host_id').execute();
  }
}
