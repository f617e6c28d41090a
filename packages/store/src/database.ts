import type { PerfRecordTable } from './perf-record.table.js';
import type { ProvisioningKpiTable } from './provisioning-kpi.table.js';
import type { ProvisioningPhaseTable } from './provisioning-phase.table.js';
import type { LatencyBucketTable, ProvisioningRollupTable } from './provisioning-rollup.table.js';
import type { SandboxAlertTable } from './sandbox-alert.table.js';

/** The Kysely schema of the sbx database: `Kysely<SbxDatabase>`. */
export interface SbxDatabase {
  sandbox_provisioning_kpis: ProvisioningKpiTable;
  sandbox_provisioning_phases: ProvisioningPhaseTable;
  sandbox_perf_records: PerfRecordTable;
  sandbox_alerts: SandboxAlertTable;
  sandbox_provisioning_rollups: ProvisioningRollupTable;
  sandbox_provisioning_latency_buckets: LatencyBucketTable;
}
