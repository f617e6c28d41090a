export {
  ChangeFeed,
  type ChangeFeedOptions,
  type PerfRecordChange,
  type ProvisionChange,
} from './change-feed.js';
export type { SbxDatabase } from './database.js';
export { isStoreError, StoreError, type StoreErrorCode, type StoreErrorOptions } from './errors.js';
export { SKETCH_RELATIVE_ERROR } from './latency-sketch.js';
export { migrateToLatest } from './migrate-to-latest.js';
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_DB_PATH,
  type OpenDatabaseOptions,
  openDatabase,
} from './open-database.js';
export { DEFAULT_PG_POOL_SIZE } from './open-postgres.js';
export type { NewPerfRecord, PerfRecordRow, PerfRecordTable } from './perf-record.table.js';
export type { ProvisionRow } from './provision-row.js';
export type {
  NewProvisioningKpi,
  ProvisioningKpiRow,
  ProvisioningKpiTable,
} from './provisioning-kpi.table.js';
export type {
  NewProvisioningPhase,
  ProvisioningPhaseRow,
  ProvisioningPhaseTable,
} from './provisioning-phase.table.js';
export type {
  LatencyBucketRow,
  LatencyBucketTable,
  ProvisioningRollupRow,
  ProvisioningRollupTable,
} from './provisioning-rollup.table.js';
export type { PhaseStats, ProvisioningStats, StatsWindow } from './provisioning-stats.js';
export type {
  AlertKind,
  NewSandboxAlert,
  SandboxAlertRow,
  SandboxAlertTable,
} from './sandbox-alert.table.js';
export {
  type NewAlert,
  SandboxAlertRepository,
  type StoredAlert,
} from './sandbox-alert-repository.js';
export {
  DEFAULT_PERF_LIST_LIMIT,
  DEFAULT_REPORT_WINDOW,
  SandboxPerfRecordRepository,
  type SandboxPerfRecordRepositoryOptions,
  type StoredPerfRecord,
} from './sandbox-perf-record-repository.js';
export {
  DEFAULT_LIST_LIMIT,
  DEFAULT_STATS_WINDOW,
  MAX_LIST_LIMIT,
  P95_WINDOW,
  SandboxProvisioningKPI,
} from './sandbox-provisioning-kpi.js';
export { SBX_MIGRATIONS, SBX_POSTGRES_MIGRATIONS } from './sbx-migrations.js';
export type { SlaWindowRow } from './sla-window.js';
export type { StatsOptions } from './stats-options.js';
