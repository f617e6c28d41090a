// The browser-safe entry: nothing here imports `node:*`, so a page can time its own provisioning.
export { type Clock, systemClock, systemWallClock, type WallClock } from './clock.js';
export { isDeadlineAbort } from './deadline.js';
export { TimingError, type TimingErrorCode } from './errors.js';
export {
  FAILURE_CAUSES,
  type FailureCause,
  failureCauseOfError,
  isCallerFailure,
  isFailureCause,
} from './failure-cause.js';
export { consoleLogger, describeError, type Logger } from './logger.js';
export {
  type OverheadAlert,
  type PerfRecordSink,
  type PerfReport,
  SANDBOX_RUN_OUTCOMES,
  type SandboxPerfRecord,
  type SandboxRunOutcome,
} from './perf-record.js';
export {
  CANCELLED_ERROR_CODE,
  isCancelled,
  type PhaseTiming,
  type ProvisionErrorInfo,
  type ProvisionRecorder,
  type ProvisionResult,
  type ProvisionSuccess,
} from './provision-result.js';
export {
  isProvisionSource,
  isUserFacing,
  PROVISION_SOURCES,
  type ProvisionSource,
  provisionSourceOf,
  UNJUDGED_SOURCES,
} from './provision-source.js';
export { nearestRankIndex, quantile, quantileSorted } from './quantile.js';
export {
  type ProvisionContext,
  type ProvisionOptions,
  SandboxProvisioner,
  type SandboxProvisionerDeps,
} from './sandbox-provisioner.js';
export {
  isSandboxType,
  SANDBOX_TYPE_TABLE,
  SANDBOX_TYPES,
  type SandboxType,
  SLA_LIMITS,
} from './sla-limits.js';
export {
  isSlaBreach,
  judgeSla,
  SLA_QUANTILE,
  SLA_WINDOW,
  type SlaBreachReason,
  type SlaSample,
  type SlaStatus,
  type SlaTally,
  type SlaVerdict,
  slaVerdict,
  tallySla,
} from './sla-verdict.js';
