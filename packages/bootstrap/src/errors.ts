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
  // webcontainer
  | 'NOT_CROSS_ORIGIN_ISOLATED'
  | 'RUNTIME_UNREACHABLE'
  | 'ALREADY_BOOTED'
  | 'MOUNT_FAILED'
  | 'INSTALL_FAILED';

/** Options of a `BootstrapError`. */
export interface BootstrapErrorOptions {
  /** The third-party error this wraps. */
  cause?: unknown;
  /** Whether trying again could help (an engine that restarts, a deadline that was too tight). */
  retryable?: boolean;
  /** The provisioning phase that failed or used up the time (`image`, `create`, `start`, `ready`, ...). */
  phase?: string;
}

/** The one error class of @sbx/bootstrap: a `code`, whether a retry could help, and the wrapped `cause`. */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
  readonly code: BootstrapErrorCode;
  readonly retryable: boolean;
  readonly phase: string | undefined;

  constructor(code: BootstrapErrorCode, message: string, options: BootstrapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.phase = options.phase;
  }
}

/** True when `error` is a `BootstrapError`, optionally with the given code. */
export function isBootstrapError(error: unknown, code?: BootstrapErrorCode): error is BootstrapError {
  return error instanceof BootstrapError && (code === undefined || error.code === code);
}
