import type { Kysely } from 'kysely';

/** Adds `tenant` to provisionings and alerts: who asked (null for rows written before tenants existed). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sandbox_provisioning_kpis').addColumn('tenant', 'text').execute();
  await db.schema.alterTable('sandbox_alerts').addColumn('tenant', 'text').execute();
}

/** Drops the `tenant` columns. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sandbox_alerts').dropColumn('tenant').execute();
  await db.schema.alterTable('sandbox_provisioning_kpis').dropColumn('tenant').execute();
}
