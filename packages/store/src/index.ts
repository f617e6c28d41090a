export {
  ChangeFeed,
  type ChangeFeedOptions,
  type PerfRecordChange,
  type ProvisionChange,
} from './change-feed.js';
export type { SbxDatabase } from './database.js';
export { isStoreError, StoreError, type StoreErrorCode } from './errors.js';
export { SKETCH_RELATIVE_ERROR } from './latency-sketch.js';
export { migrateToLatest } from './migrate-to-latest.js';
export {
  DEFAULT_DB_PATH,
  describeDatabase,
  type OpenDatabaseOptions,
  openDatabase,
} from './open-database.js';
export { DEFAULT_PG_POOL_SIZE } from './open-postgres.js';
export type { ProvisionRow } from './provision-row.js';
export type { PhaseStats, ProvisioningStats, StatsWindow } from './provisioning-stats.js';
export type { RowScope } from './row-scope.js';
export type { AlertKind } from './sandbox-alert.table.js';
export {
  type NewAlert,
  SandboxAlertRepository,
  type StoredAlert,
} from './sandbox-alert-repository.js';
export {
  SandboxPerfRecordRepository,
  type SandboxPerfRecordRepositoryOptions,
  type StoredPerfRecord,
} from './sandbox-perf-record-repository.js';
export { SandboxProvisioningKPI } from './sandbox-provisioning-kpi.js';
export type { SlaWindowRow } from './sla-window.js';
export type { SourceFilter } from './source-filter.js';
export { isPostgresUrl } from './sql-dialect.js';
export type { StatsOptions } from './stats-options.js';
