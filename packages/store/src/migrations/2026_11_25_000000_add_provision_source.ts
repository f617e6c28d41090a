import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../sql-dialect.js';

/**
 * Adds `source` to provisionings, on both engines: `cold`, `pool` (a warm pool's member handed out) or `refill`
 * (a pool provisioning in the background). Rows written before pools existed were cold. The index serves the
 * newest valid rows of one source.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sandbox_provisioning_kpis')
    .addColumn('source', 'text', (col) => col.notNull().defaultTo('cold'))
    .execute();
  // SQLite appends the rowid to every index entry; PostgreSQL needs the tie-breaker named.
  const order = dialectOf(db) === 'postgres' ? ', seq' : '';
  await sql
    .raw(`create index idx_sandbox_provisioning_kpis_type_source_cancelled_timestamp
      on sandbox_provisioning_kpis (sandbox_type, source, cancelled, timestamp${order})`)
    .execute(db);
}

/** Drops `source` and its index. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idx_sandbox_provisioning_kpis_type_source_cancelled_timestamp').execute();
  await db.schema.alterTable('sandbox_provisioning_kpis').dropColumn('source').execute();
}
