import type { FailureCause } from './failure-cause.js';
import type { SandboxType } from './sla-limits.js';

/** How long one named phase of a provisioning took, relative to the provisioning's start. */
export interface PhaseTiming {
  /** The phase name, e.g. `create`, `start`, `ready`. */
  name: string;
  /** Milliseconds from the start of the provisioning to the start of this phase. */
  startMs: number;
  /** Milliseconds the phase took. */
  durationMs: number;
}

/** A failed bootstrap, as recorded (the error itself still propagates to the caller). */
export interface ProvisionErrorInfo {
  name: string;
  message: string;
  /** The error's own code, or `CANCELLED` when the caller's signal (not the deadline) aborted the bootstrap. */
  code?: string;
  /** The provisioning phase that failed (`image`, `create`, `start`, `ready`, ...), when the error said. */
  phase?: string;
  /**
   * Whose fault it was: `caller` failures are shown apart and left out of the SLA verdict; a failure without
   * one (recorded before causes existed) is the platform's.
   */
  cause?: FailureCause;
}

/** The measurement of one sandbox provisioning, as recorders receive it (success or failure). */
export interface ProvisionResult {
  sandboxType: SandboxType;
  /** Total milliseconds from the call to `provision()` until the bootstrap settled (monotonic clock). */
  durationMs: number;
  /** `'sla_breach'` when the duration exceeded the SLA limit or the bootstrap failed, else `'ok'`. */
  status: 'ok' | 'sla_breach';
  /** Wall-clock time the provisioning started. */
  timestamp: Date;
  /** The SLA limit (ms) this result was judged against. */
  slaLimitMs?: number;
  /** Named phases the bootstrap timed, in the order they finished. */
  phases?: PhaseTiming[];
  /** Present when the bootstrap failed. */
  error?: ProvisionErrorInfo;
  /** Who and where, as the caller gave them (e.g. `{ tenant: 'team-a' }`); stores keep known keys. */
  attributes?: Readonly<Record<string, string>>;
}

/**
 * What `SandboxProvisioner.provision()` resolves to: the measurement of a provisioning whose bootstrap
 * succeeded (`status` is still `'sla_breach'` when it took too long), with what the bootstrap returned.
 * A failed bootstrap rejects instead, so no field here needs a check.
 */
export interface ProvisionSuccess<T> extends ProvisionResult {
  slaLimitMs: number;
  phases: PhaseTiming[];
  /** Never set: a failure rejects. */
  error?: never;
  /** What the bootstrap returned (never passed to recorders). */
  value: T;
}

/** Receives every provisioning result; @sbx/store's `SandboxProvisioningKPI` implements it. */
export interface ProvisionRecorder {
  record(result: ProvisionResult): void | Promise<void>;
}

/** The error code the provisioner records when the caller's signal (not the deadline) aborted the bootstrap. */
export const CANCELLED_ERROR_CODE = 'CANCELLED';

/**
 * True when the provisioning was cancelled by its caller (Ctrl-C, a closed request): it keeps its record
 * (`status: 'sla_breach'`, the error) but is left out of the SLA verdict and raises no alert.
 */
export function isCancelled(result: { readonly error?: Partial<ProvisionErrorInfo> | undefined }): boolean {
  return result.error?.code === CANCELLED_ERROR_CODE;
}
