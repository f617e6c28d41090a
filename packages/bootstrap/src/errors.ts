import type { FailureCause } from '@sbx/timing/browser';

/** What went wrong while provisioning or using a sandbox. */
export type BootstrapErrorCode =
  // shared
  | 'INVALID_SPEC'
  | 'DEADLINE_EXCEEDED'
  | 'ABORTED'
  | 'READINESS_TIMEOUT'
  | 'READINESS_FAILED'
  | 'EXEC_FAILED'
  | 'EXEC_TIMEOUT'
  | 'DISPOSED'
  // a pool that was closed hands out nothing more
  | 'POOL_CLOSED'
  // the sandbox is no longer there to run anything (its container was removed or stopped): a host answers 410
  | 'SANDBOX_GONE'
  // docker
  | 'ENGINE_UNREACHABLE'
  | 'IMAGE_NOT_FOUND'
  | 'PULL_FAILED'
  | 'CREATE_FAILED'
  | 'START_FAILED'
  // the spec names a runtime the engine does not offer (the message lists what it has)
  | 'RUNTIME_NOT_FOUND'
  // any other engine call that failed (listing, removing, inspecting a managed container)
  | 'ENGINE_ERROR'
  // sandbox files: no such path, over the caller's size cap, a read-only place, or the engine failed
  | 'FILE_NOT_FOUND'
  | 'FILE_TOO_LARGE'
  | 'READ_ONLY_PATH'
  | 'FILE_FAILED'
  // the in-sandbox agent: it does not answer, it broke the protocol, it refused the request (`agentCode` says
  // why), or the process named is not one it lists
  | 'AGENT_UNAVAILABLE'
  | 'AGENT_PROTOCOL'
  | 'AGENT_REFUSED'
  | 'PROCESS_NOT_FOUND'
  // webcontainer
  | 'NOT_CROSS_ORIGIN_ISOLATED'
  | 'RUNTIME_UNREACHABLE'
  | 'ALREADY_BOOTED'
  | 'MOUNT_FAILED'
  | 'INSTALL_FAILED';

/**
 * Whose fault each code is when a provisioning fails with it (see `FailureCause` in `@sbx/timing`): `caller`
 * failures (the caller asked for something that cannot be: a missing image, an invalid spec, a command that exits
 * or never passes its readiness check) are recorded apart and never turn the SLA red; `platform` failures are SLA
 * evidence. One entry per code: a new code without a cause does not compile. A thrower that knows better for one
 * error (a container killed for memory during `ready`, a deadline in the caller's `ready` phase) says so with
 * `failureCause`.
 */
export const BOOTSTRAP_ERROR_CAUSES: Readonly<Record<BootstrapErrorCode, FailureCause>> = Object.freeze({
  INVALID_SPEC: 'caller',
  // A deadline in image/create/start is the platform's; in `ready` the thrower marks it the caller's.
  DEADLINE_EXCEEDED: 'platform',
  // The caller's own signal is recorded as CANCELLED by the provisioner; any other abort (a closing host) is ours.
  ABORTED: 'platform',
  // The caller's server never answered within its readiness timeout (webcontainer).
  READINESS_TIMEOUT: 'caller',
  // The container exited, turned unhealthy or has no health check; an engine error or an OOM kill is marked platform.
  READINESS_FAILED: 'caller',
  EXEC_FAILED: 'platform',
  EXEC_TIMEOUT: 'caller',
  DISPOSED: 'caller',
  POOL_CLOSED: 'platform',
  SANDBOX_GONE: 'platform',
  ENGINE_UNREACHABLE: 'platform',
  // No such image, or not the caller's to pull (pull access denied).
  IMAGE_NOT_FOUND: 'caller',
  // A pull of an image that exists failed (registry down, network): ours.
  PULL_FAILED: 'platform',
  CREATE_FAILED: 'platform',
  START_FAILED: 'platform',
  // The spec names a runtime the engine does not offer.
  RUNTIME_NOT_FOUND: 'caller',
  ENGINE_ERROR: 'platform',
  FILE_NOT_FOUND: 'caller',
  FILE_TOO_LARGE: 'caller',
  READ_ONLY_PATH: 'caller',
  FILE_FAILED: 'platform',
  // The agent is gone or silent (the sandbox's code may have killed it; sbx cannot tell): ours to report.
  AGENT_UNAVAILABLE: 'platform',
  // Only code in the sandbox can make the agent lie (the agent is replaceable from inside): the caller's.
  AGENT_PROTOCOL: 'caller',
  // The agent refused a request (a bad field, a limit, a permission, a port nothing listens on).
  AGENT_REFUSED: 'caller',
  PROCESS_NOT_FOUND: 'caller',
  NOT_CROSS_ORIGIN_ISOLATED: 'platform',
  RUNTIME_UNREACHABLE: 'platform',
  ALREADY_BOOTED: 'caller',
  MOUNT_FAILED: 'platform',
  // `npm install` of the caller's own package.json failed.
  INSTALL_FAILED: 'caller',
});

/** Options of a `BootstrapError`. */
export interface BootstrapErrorOptions {
  /** The third-party error this wraps. */
  cause?: unknown;
  /** Whether trying again could help (an engine that restarts, a deadline that was too tight). */
  retryable?: boolean;
  /** The provisioning phase that failed or used up the time (`image`, `create`, `start`, `ready`, ...). */
  phase?: string;
  /** Whose fault it is, when this one error differs from its code's entry in `BOOTSTRAP_ERROR_CAUSES`. */
  failureCause?: FailureCause;
  /** The in-sandbox agent's own error code (`LIMIT`, `PERMISSION_DENIED`, ...) when the agent refused. */
  agentCode?: string;
}

/**
 * The one error class of @sbx/bootstrap: a `code`, whether a retry could help, the wrapped `cause`, and whose
 * fault it is (`failureCause`, which the provisioner records).
 */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
  readonly code: BootstrapErrorCode;
  readonly retryable: boolean;
  readonly phase: string | undefined;
  /** `caller` or `platform`: from `BOOTSTRAP_ERROR_CAUSES`, unless the thrower said otherwise. */
  readonly failureCause: FailureCause;
  /** The agent's own error code when the in-sandbox agent refused the request (`AGENT_REFUSED` and others). */
  readonly agentCode: string | undefined;

  constructor(code: BootstrapErrorCode, message: string, options: BootstrapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.phase = options.phase;
    this.failureCause = options.failureCause ?? BOOTSTRAP_ERROR_CAUSES[code];
    this.agentCode = options.agentCode;
  }
}

/** True when `error` is a `BootstrapError`, optionally with the given code. */
export function isBootstrapError(error: unknown, code?: BootstrapErrorCode): error is BootstrapError {
  return error instanceof BootstrapError && (code === undefined || error.code === code);
}
