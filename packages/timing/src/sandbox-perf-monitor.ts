import { EventEmitter } from 'node:events';
import { type Clock, systemClock, systemWallClock, type WallClock } from './clock.js';
import { TimingError } from './errors.js';
import { consoleLogger, describeError, type Logger } from './logger.js';
import {
  type OverheadAlert,
  type PerfRecordSink,
  type PerfReport,
  SANDBOX_RUN_OUTCOMES,
  type SandboxPerfRecord,
  type SandboxRunOutcome,
} from './perf-record.js';
import { quantileSorted } from './quantile.js';

/** Default alert threshold: a sandbox run longer than this raises `'overhead-alert'`. */
export const DEFAULT_ALERT_THRESHOLD_MS = 5_000;
/** Default number of completed runs kept in memory for `getReport()` (oldest dropped first). */
export const DEFAULT_MAX_COMPLETED_RECORDS = 10_000;

/** Options of a `SandboxPerfMonitor`; all optional. */
export interface SandboxPerfMonitorOptions {
  alertThresholdMs?: number;
  sink?: PerfRecordSink;
  logger?: Logger;
  /** How many completed runs to keep for reports; defaults to 10,000. */
  maxCompletedRecords?: number;
  clock?: Clock;
  wallClock?: WallClock;
}

/** The events a `SandboxPerfMonitor` emits. */
export interface SandboxPerfMonitorEvents {
  'overhead-alert': [OverheadAlert];
}

interface ActiveRun {
  sandboxId: string;
  startTime: number;
  t0: number;
}

/** Names one run when several run in a sandbox at once; records still carry the sandbox id. */
export interface PerfRunKey {
  /** A key unique among the runs in flight (default: the sandbox id, so one run per sandbox). */
  runId?: string;
}

// [5_SECURITY_DESIGN-REQ-SEC-RSK-901]
/**
 * Times each sandbox run from `start()` to `stop()`, raises `'overhead-alert'` when one runs too long,
 * and sends every record to a sink (fire-and-forget: a failing sink is logged, never rethrown).
 *
 * @example
 * const monitor = new SandboxPerfMonitor({ alertThresholdMs: 2_000, sink: perfRepository });
 * monitor.on('overhead-alert', ({ sandboxId, durationMs }) => log.warn({ sandboxId, durationMs }));
 * monitor.start(sandbox.id);
 * const record = monitor.stop(sandbox.id, { outcome: 'success' });
 */
export class SandboxPerfMonitor extends EventEmitter<SandboxPerfMonitorEvents> {
  readonly #thresholdMs: number;
  readonly #sink: PerfRecordSink | undefined;
  readonly #logger: Logger;
  readonly #maxCompleted: number;
  readonly #clock: Clock;
  readonly #wallClock: WallClock;
  readonly #active = new Map<string, ActiveRun>();
  // A ring would save the shift, but shift on 10k numbers is cheap next to a sandbox run.
  readonly #completed: SandboxPerfRecord[] = [];
  readonly #pending = new Set<PromiseLike<unknown>>();

  constructor(options: SandboxPerfMonitorOptions = {}) {
    super();
    this.#thresholdMs = positive(options.alertThresholdMs ?? DEFAULT_ALERT_THRESHOLD_MS, 'alertThresholdMs');
    this.#maxCompleted = positive(
      options.maxCompletedRecords ?? DEFAULT_MAX_COMPLETED_RECORDS,
      'maxCompletedRecords',
    );
    this.#sink = options.sink;
    this.#logger = options.logger ?? consoleLogger;
    this.#clock = options.clock ?? systemClock;
    this.#wallClock = options.wallClock ?? systemWallClock;
  }

  /** The alert threshold in milliseconds. */
  get alertThresholdMs(): number {
    return this.#thresholdMs;
  }

  /** How many runs are started and not yet stopped. */
  get activeCount(): number {
    return this.#active.size;
  }

  /**
   * Starts timing a run in `sandboxId`; with `runId` several runs of one sandbox are timed at once. Throws
   * `SANDBOX_ALREADY_STARTED` if that run (by default: that sandbox) is already being timed.
   */
  start(sandboxId: string, { runId }: PerfRunKey = {}): void {
    if (typeof sandboxId !== 'string' || sandboxId.length === 0) {
      throw new TimingError('INVALID_ARGUMENT', 'sandboxId must be a non-empty string');
    }
    if (runId !== undefined && (typeof runId !== 'string' || runId.length === 0)) {
      throw new TimingError('INVALID_ARGUMENT', 'runId must be a non-empty string');
    }
    const key = runId ?? sandboxId;
    if (this.#active.has(key)) {
      const what = runId === undefined ? `sandbox ${sandboxId}` : `run ${runId}`;
      throw new TimingError('SANDBOX_ALREADY_STARTED', `${what} is already being timed`);
    }
    this.#active.set(key, { sandboxId, startTime: this.#wallClock.now().getTime(), t0: this.#clock.now() });
  }

  /**
   * Stops timing a run (`runId` as given to `start()`) and returns its record; throws `SANDBOX_NOT_STARTED`
   * for an unknown one.
   */
  stop(
    sandboxId: string,
    { outcome, runId }: { outcome: SandboxRunOutcome } & PerfRunKey,
  ): SandboxPerfRecord {
    if (!SANDBOX_RUN_OUTCOMES.includes(outcome)) {
      throw new TimingError('INVALID_OUTCOME', `outcome must be one of ${SANDBOX_RUN_OUTCOMES.join(', ')}`);
    }
    const key = runId ?? sandboxId;
    const run = this.#active.get(key);
    if (!run || run.sandboxId !== sandboxId) {
      throw new TimingError(
        'SANDBOX_NOT_STARTED',
        `${runId === undefined ? `sandbox ${sandboxId}` : `run ${runId} of sandbox ${sandboxId}`} was not started (or already stopped)`,
      );
    }
    this.#active.delete(key);
    const durationMs = this.#clock.now() - run.t0;
    const record: SandboxPerfRecord = {
      sandboxId,
      startTime: run.startTime,
      durationMs,
      outcome,
      alertFired: durationMs > this.#thresholdMs,
    };
    this.#completed.push(record);
    if (this.#completed.length > this.#maxCompleted) this.#completed.shift();
    this.#send(record);
    if (record.alertFired) this.#alert({ sandboxId, durationMs, thresholdMs: this.#thresholdMs });
    return record;
  }

  /** Count, mean, max, nearest-rank p95 and alert count over the completed runs held; a fresh object each call. */
  getReport(): PerfReport {
    const count = this.#completed.length;
    if (count === 0)
      return { count: 0, meanMs: undefined, maxMs: undefined, p95Ms: undefined, alertCount: 0 };
    const durations = this.#completed.map((r) => r.durationMs).sort((a, b) => a - b);
    const sum = durations.reduce((acc, d) => acc + d, 0);
    return {
      count,
      meanMs: sum / count,
      maxMs: durations[count - 1],
      p95Ms: quantileSorted(durations, 0.95),
      alertCount: this.#completed.reduce((n, r) => n + (r.alertFired ? 1 : 0), 0),
    };
  }

  /** Copies of the completed records held, oldest first. */
  records(): SandboxPerfRecord[] {
    return this.#completed.map((r) => ({ ...r }));
  }

  /**
   * Resolves once every record handed to the sink so far is written (or its failure logged), like
   * OpenTelemetry's `forceFlush()`; a host calls it before closing the sink's database.
   */
  async forceFlush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Forgets completed records (active runs keep running). */
  clear(): void {
    this.#completed.length = 0;
  }

  #send(record: SandboxPerfRecord): void {
    if (!this.#sink) return;
    const onError = (error: unknown) =>
      this.#logger.error('perf sink failed; record kept in memory only', {
        sandboxId: record.sandboxId,
        error: describeError(error),
      });
    try {
      const pending = this.#sink.insert('sandbox_perf_records', { ...record });
      if (pending && typeof pending.then === 'function') {
        const settled = Promise.resolve(pending).then(undefined, onError);
        this.#pending.add(settled);
        void settled.finally(() => this.#pending.delete(settled));
      }
    } catch (error) {
      onError(error);
    }
  }

  #alert(alert: OverheadAlert): void {
    try {
      this.emit('overhead-alert', alert);
    } catch (error) {
      // A throwing listener is someone else's bug; the run is already recorded.
      this.#logger.error('overhead-alert listener threw', {
        sandboxId: alert.sandboxId,
        error: describeError(error),
      });
    }
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new TimingError('INVALID_ARGUMENT', `${name} must be a positive finite number, got ${value}`);
  }
  return value;
}

/** The seed's name for the monitor's options. */
export type PerfMonitorOptions = SandboxPerfMonitorOptions;

/**
 * A process-wide monitor with the default options: the convenience for a single-process user who wants one place
 * to call `start()`/`end()` and read `getReport()`. The agent host does not use it: it builds its own monitor,
 * with its own options, sink and lifetime.
 */
export const sandboxPerfMonitor: SandboxPerfMonitor = new SandboxPerfMonitor();
