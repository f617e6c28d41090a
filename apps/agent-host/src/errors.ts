import { type AgentHostErrorCode, ERROR_CODES } from './error-codes.js';

export type { AgentHostErrorCode };
/** Options of an `AgentHostError`. */
export interface AgentHostErrorOptions {
  cause?: unknown;
  /** The process exit code when the CLI ends on this error (default: the code's, see `ERROR_CODES`). */
  exitCode?: number;
  /** Every field that is wrong, for an HTTP 400 body (the message names the first). */
  issues?: Array<{ path: string; message: string }>;
}

/** The one error class of the agent host: a `code`, a message that says what to do, and the wrapped `cause`. */
export class AgentHostError extends Error {
  override readonly name: string = 'AgentHostError';
  readonly code: AgentHostErrorCode;
  readonly exitCode: number;
  readonly issues: Array<{ path: string; message: string }> | undefined;

  constructor(code: AgentHostErrorCode, message: string, options: AgentHostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
    this.exitCode = options.exitCode ?? ERROR_CODES[code].exit;
  }
}

/** True when `error` is an `AgentHostError`, optionally with the given code. */
export function isAgentHostError(error: unknown, code?: AgentHostErrorCode): error is AgentHostError {
  return error instanceof AgentHostError && (code === undefined || error.code === code);
}
