import { type Kysely, sql } from 'kysely';

/** Creates `sandbox_provisioning_phases`, keyed by (provision_id, seq) so a provisioning's phases are adjacent. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sandbox_provisioning_phases')
    .addColumn('provision_id', 'text', (col) =>
      col.notNull().references('sandbox_provisioning_kpis.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('start_ms', 'real', (col) => col.notNull())
    .addColumn('duration_ms', 'real', (col) => col.notNull())
    .addPrimaryKeyConstraint('pk_sandbox_provisioning_phases', ['provision_id', 'seq'])
    .modifyEnd(sql`without rowid`)
    .execute();
}

/** Drops `sandbox_provisioning_phases`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sandbox_provisioning_phases').execute();
}
