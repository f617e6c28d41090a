import type { Migration, MigrationProvider } from 'kysely';
import * as createProvisioningKpis from './migrations/2026_11_22_000000_create_provisioning_kpis.js';
import * as createProvisioningPhases from './migrations/2026_11_22_000100_create_provisioning_phases.js';
import * as createPerfRecords from './migrations/2026_11_22_000200_create_perf_records.js';
import * as createAlerts from './migrations/2026_11_22_000300_create_alerts.js';
import * as addSlaRollups from './migrations/2026_11_23_000000_add_sla_rollups.js';
import * as addTenants from './migrations/2026_11_23_000100_add_tenants.js';

/** Every migration of the sbx schema by name; Kysely runs them in name order. Append, never edit. */
export const SBX_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '2026_11_22_000000_create_provisioning_kpis': createProvisioningKpis,
  '2026_11_22_000100_create_provisioning_phases': createProvisioningPhases,
  '2026_11_22_000200_create_perf_records': createPerfRecords,
  '2026_11_22_000300_create_alerts': createAlerts,
  '2026_11_23_000000_add_sla_rollups': addSlaRollups,
  '2026_11_23_000100_add_tenants': addTenants,
});

/** A static migration provider (no folder scanning, so bundles and `dist` carry their migrations). */
export const sbxMigrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...SBX_MIGRATIONS }),
};
