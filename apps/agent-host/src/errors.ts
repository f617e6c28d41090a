/** What went wrong in the agent host (CLI, server, composition). */
export type AgentHostErrorCode =
  // a caller's mistake: a flag, an environment variable or a request field
  | 'INVALID_FLAG'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'INVALID_IMAGE'
  | 'POLICY_LIMIT'
  | 'RUNTIME_NOT_FOUND'
  | 'TEMPLATE_NOT_FOUND'
  | 'TOO_MANY_SANDBOXES'
  | 'TOO_MANY_TRANSFERS'
  // a file changed while it was sent (its stated length no longer holds)
  | 'FILE_CHANGED'
  | 'TOO_MANY_CONCURRENT'
  | 'RATE_LIMITED'
  // the in-sandbox agent refused a file call: something in the way, a directory, no permission
  | 'FILE_EXISTS'
  | 'NOT_A_DIRECTORY'
  | 'IS_A_DIRECTORY'
  | 'PERMISSION_DENIED'
  // a preview port: nothing listens there, or what listens sent no valid HTTP answer
  | 'PORT_CLOSED'
  | 'PORT_FAILED'
  // what needs the in-sandbox agent, asked of a sandbox that runs without it
  | 'AGENT_UNAVAILABLE'
  // the host's state
  | 'HOST_CLOSING'
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_GONE'
  | 'UNSUPPORTED_TYPE'
  | 'POOL_NOT_FOUND'
  // a template build that could not run or failed (`sbx template build`)
  | 'TEMPLATE_BUILD_FAILED'
  // a result that was measured but could not be kept
  | 'NOT_RECORDED'
  // the database is unreachable and the spool cannot take more: new provisionings are refused
  | 'STORE_UNAVAILABLE';

/** Options of an `AgentHostError`. */
export interface AgentHostErrorOptions {
  cause?: unknown;
  /** The process exit code when the CLI ends on this error (default 1; 2 for flag and config mistakes). */
  exitCode?: number;
  /** Every field that is wrong, for an HTTP 400 body (the message names the first). */
  issues?: Array<{ path: string; message: string }>;
}

/** The one error class of the agent host: a `code`, a message that says what to do, and the wrapped `cause`. */
export class AgentHostError extends Error {
  override readonly name = 'AgentHostError';
  readonly code: AgentHostErrorCode;
  readonly exitCode: number;
  readonly issues: Array<{ path: string; message: string }> | undefined;

  constructor(code: AgentHostErrorCode, message: string, options: AgentHostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
    this.exitCode = options.exitCode ?? (code === 'INVALID_FLAG' || code === 'INVALID_CONFIG' ? 2 : 1);
  }
}

/** True when `error` is an `AgentHostError`, optionally with the given code. */
export function isAgentHostError(error: unknown, code?: AgentHostErrorCode): error is AgentHostError {
  return error instanceof AgentHostError && (code === undefined || error.code === code);
}
