/** What went wrong in @sbx/timing. */
export type TimingErrorCode =
  | 'INVALID_SANDBOX_TYPE'
  | 'INVALID_ARGUMENT'
  | 'SANDBOX_ALREADY_STARTED'
  | 'SANDBOX_NOT_STARTED'
  | 'INVALID_OUTCOME';

/** The one error class of @sbx/timing; `code` says what was misused. */
export class TimingError extends Error {
  override readonly name = 'TimingError';
  readonly code: TimingErrorCode;

  constructor(code: TimingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
