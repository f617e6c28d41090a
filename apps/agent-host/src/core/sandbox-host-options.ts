import type { ExecOptions, ExecResult } from '@sbx/bootstrap';
import type {
  Logger,
  PerfRecordSink,
  ProvisionRecorder,
  ProvisionResult,
  ProvisionSuccess,
  SandboxPerfRecord,
  SandboxType,
} from '@sbx/timing';
import type { AlertService } from '../alerts/alert-service.js';
import type { OtelInstruments } from '../telemetry/otel-instruments.js';
import type { HostSandbox, HostSandboxAdapter } from './host-adapter.js';
import type { LiveLimits } from './live-limits.js';

/** Dependencies of the sandbox host. */
export interface SandboxHostDeps {
  recorder: ProvisionRecorder;
  sink: PerfRecordSink;
  /**
   * Why results cannot be kept now (the store is away and the spool is full or unwritable), or undefined: new
   * provisionings are refused with `STORE_UNAVAILABLE` (503) while it says so.
   */
  storeRefusal?: () => string | undefined;
  /** The adapters the host provisions with, keyed by sandbox type (types provisioned elsewhere have none). */
  adapters: Partial<Record<SandboxType, HostSandboxAdapter>>;
  logger: Logger;
  alertThresholdMs?: number;
  /** Default deadline of one provisioning, in milliseconds. */
  deadlineMs?: number;
  /** Where SLA breaches and overhead alerts are kept (and posted). */
  alerts?: AlertService;
  /** OpenTelemetry histograms of every provisioning and run. */
  telemetry?: OtelInstruments;
  /** Caps on live sandboxes; none by default (the server sets them from its policy). */
  limits?: LiveLimits;
  /** A sandbox with no command or file call for this long is removed (gone, reason `idle`); never by default. */
  idleTimeoutMs?: number;
  /** The longest a sandbox may live, extensions included; default one week. */
  maxTtlMs?: number;
  /** Wall-clock milliseconds for expiry and idleness; default `Date.now`. */
  now?: () => number;
}

/** How often idle and expired sandboxes are looked for, at most. */
export const SWEEP_INTERVAL_MS = 1_000;
/** The longest a sandbox lives when the host is given no `maxTtlMs`: one week. */
export const DEFAULT_MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Options of one provisioning. */
export interface ProvisionCallOptions {
  /** Who asks; the sandbox is theirs alone (default `default`). */
  tenant?: string;
  signal?: AbortSignal;
  deadlineMs?: number;
  onResult?: (result: ProvisionResult) => void;
}

/** A provisioned sandbox and how its provisioning went. */
export interface Provisioned {
  sandbox: HostSandbox;
  /** As recorded: phases and the SLA limit always there. */
  result: Omit<ProvisionSuccess<HostSandbox>, 'value'>;
}

/** Options of one job: the command's, and who wants its perf record (a failed run has one too). */
export interface JobOptions extends ExecOptions {
  onRecord?: (record: SandboxPerfRecord) => void;
  /** How the command runs (default `sandbox.exec`): through the sandbox's agent as another user, say. */
  run?: (cmd: string | readonly string[], options: ExecOptions) => Promise<ExecResult>;
}

/** One job run in a sandbox, measured by the perf monitor. */
export interface JobRun {
  exec: ExecResult;
  record: SandboxPerfRecord;
}

/** What `close()` did. */
export interface CloseReport {
  /** Sandboxes removed at close. */
  removed: number;
  /** False when the timeout passed before everything under way settled and was flushed. */
  complete: boolean;
}

/** Default provisioning deadline: twice the docker SLA, so a breach is still measured before we give up. */
export const DEFAULT_DEADLINE_MS = 60_000;
/** Default bound of `close()`: under the 2 s a user waits after Ctrl-C. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1_500;
