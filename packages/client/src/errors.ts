/** What went wrong: the server's error code (`SANDBOX_GONE`, `FILE_NOT_FOUND`, ...) or one of the client's own. */
export type SbxErrorCode =
  | (string & {})
  // the client's own: the server could not be reached, answered something that is not the API, or a stream ended early
  | 'UNREACHABLE'
  | 'BAD_RESPONSE'
  | 'STREAM_ENDED'
  | 'ABORTED';

/** Options of an `SbxError`. */
export interface SbxErrorOptions {
  /** The HTTP status (0 when there was no answer). */
  status?: number;
  /** Field problems of a 400: `{ path, message }`. */
  issues?: Array<{ path: string; message: string }>;
  cause?: unknown;
}

/** The one error class of @sbx/client: the server's `code` and message, and the HTTP `status`. */
export class SbxError extends Error {
  override readonly name = 'SbxError';
  readonly code: SbxErrorCode;
  readonly status: number;
  readonly issues: Array<{ path: string; message: string }> | undefined;

  constructor(code: SbxErrorCode, message: string, options: SbxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 0;
    this.issues = options.issues;
  }
}

/** True when `error` is an `SbxError`, optionally with the given code. */
export function isSbxError(error: unknown, code?: SbxErrorCode): error is SbxError {
  return error instanceof SbxError && (code === undefined || error.code === code);
}
