/** How a sandbox run ended. */
export type SandboxRunOutcome = 'success' | 'timeout' | 'error';

/** Every run outcome, for validation. */
export const SANDBOX_RUN_OUTCOMES: readonly SandboxRunOutcome[] = Object.freeze([
  'success',
  'timeout',
  'error',
] as const);

/** One completed sandbox run, as the perf monitor records it. */
export interface SandboxPerfRecord {
  sandboxId: string;
  /** Wall-clock start, epoch milliseconds. */
  startTime: number;
  /** Milliseconds the run took (monotonic clock). */
  durationMs: number;
  outcome: SandboxRunOutcome;
  /** True when `durationMs` exceeded the monitor's alert threshold. */
  alertFired: boolean;
}

/** Summary of the completed runs the monitor holds. Durations are `undefined` when `count` is 0. */
export interface PerfReport {
  count: number;
  meanMs: number | undefined;
  maxMs: number | undefined;
  /** Nearest-rank 95th percentile. */
  p95Ms: number | undefined;
  alertCount: number;
}

/** The payload of an `'overhead-alert'` event. */
export interface OverheadAlert {
  sandboxId: string;
  durationMs: number;
  thresholdMs: number;
}

/** Where perf records go; @sbx/store's perf-record repository implements it. */
export interface PerfRecordSink {
  insert(table: 'sandbox_perf_records', record: SandboxPerfRecord): void | Promise<void>;
}
