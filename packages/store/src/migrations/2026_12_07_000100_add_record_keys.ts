import { type Kysely, sql } from 'kysely';

/**
 * Adds `record_key` to perf records and alerts, on both engines: the key a writer may give a row so that
 * writing it again (a spooled result replayed after a lost acknowledgement) stores it once. Unique where set;
 * rows written without one (NULL) are not constrained.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sandbox_perf_records', 'sandbox_alerts']) {
    await db.schema.alterTable(table).addColumn('record_key', 'text').execute();
    await sql.raw(`create unique index uq_${table}_record_key on ${table} (record_key)`).execute(db);
  }
}

/** Drops `record_key` and its indexes. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sandbox_alerts', 'sandbox_perf_records']) {
    await db.schema.dropIndex(`uq_${table}_record_key`).execute();
    await db.schema.alterTable(table).dropColumn('record_key').execute();
  }
}
