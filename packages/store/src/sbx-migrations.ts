import type { Migration, MigrationProvider } from 'kysely';
import * as createProvisioningKpis from './migrations/2026_11_22_000000_create_provisioning_kpis.js';
import * as createProvisioningPhases from './migrations/2026_11_22_000100_create_provisioning_phases.js';
import * as createPerfRecords from './migrations/2026_11_22_000200_create_perf_records.js';
import * as createAlerts from './migrations/2026_11_22_000300_create_alerts.js';
import * as addSlaRollups from './migrations/2026_11_23_000000_add_sla_rollups.js';
import * as addTenants from './migrations/2026_11_23_000100_add_tenants.js';
import * as createPostgresSchema from './migrations/2026_11_23_000100_create_postgres_schema.js';
import * as addHostIds from './migrations/2026_11_24_000000_add_host_ids.js';
import * as addProvisionSource from './migrations/2026_11_25_000000_add_provision_source.js';
import * as keyRollupsByHostPostgres from './migrations/2026_11_26_000000_key_rollups_by_host.postgres.js';
import * as keyRollupsByHostSqlite from './migrations/2026_11_26_000000_key_rollups_by_host.sqlite.js';
import * as addFailureCausesPostgres from './migrations/2026_12_07_000000_add_failure_causes.postgres.js';
import * as addFailureCausesSqlite from './migrations/2026_12_07_000000_add_failure_causes.sqlite.js';
import * as addRecordKeys from './migrations/2026_12_07_000100_add_record_keys.js';
import type { DialectKind } from './sql-dialect.js';

// The SQLite-era migrations: PostgreSQL gets their end state in one step (create_postgres_schema).
const SQLITE_BASE: Readonly<Record<string, Migration>> = {
  '2026_11_22_000000_create_provisioning_kpis': createProvisioningKpis,
  '2026_11_22_000100_create_provisioning_phases': createProvisioningPhases,
  '2026_11_22_000200_create_perf_records': createPerfRecords,
  '2026_11_22_000300_create_alerts': createAlerts,
  '2026_11_23_000000_add_sla_rollups': addSlaRollups,
  '2026_11_23_000100_add_tenants': addTenants,
};
const POSTGRES_BASE: Readonly<Record<string, Migration>> = {
  '2026_11_23_000100_create_postgres_schema': createPostgresSchema,
};
// Migrations both engines run (schema builder, or dialect SQL from sql-dialect.ts). Append new ones here.
const SHARED: Readonly<Record<string, Migration>> = {
  '2026_11_24_000000_add_host_ids': addHostIds,
  '2026_11_25_000000_add_provision_source': addProvisionSource,
};

// One migration name, one implementation per engine (the rollup triggers are dialect SQL).
const KEY_ROLLUPS_BY_HOST = '2026_11_26_000000_key_rollups_by_host';
const ADD_FAILURE_CAUSES = '2026_12_07_000000_add_failure_causes';

// Shared migrations after the per-engine one (Kysely runs by name, so the object order is only for reading).
const LATER_SHARED: Readonly<Record<string, Migration>> = {
  '2026_12_07_000100_add_record_keys': addRecordKeys,
};

/** Every migration of the sbx schema on SQLite by name; Kysely runs them in name order. Append, never edit. */
export const SBX_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  ...SQLITE_BASE,
  ...SHARED,
  [KEY_ROLLUPS_BY_HOST]: keyRollupsByHostSqlite,
  [ADD_FAILURE_CAUSES]: addFailureCausesSqlite,
  ...LATER_SHARED,
});

/** The migrations of the sbx schema on PostgreSQL by name. */
export const SBX_POSTGRES_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  ...POSTGRES_BASE,
  ...SHARED,
  [KEY_ROLLUPS_BY_HOST]: keyRollupsByHostPostgres,
  [ADD_FAILURE_CAUSES]: addFailureCausesPostgres,
  ...LATER_SHARED,
});

/** A static migration provider (no folder scanning, so bundles and `dist` carry their migrations). */
export function sbxMigrationProvider(kind: DialectKind = 'sqlite'): MigrationProvider {
  const migrations = kind === 'postgres' ? SBX_POSTGRES_MIGRATIONS : SBX_MIGRATIONS;
  return { getMigrations: async () => ({ ...migrations }) };
}
