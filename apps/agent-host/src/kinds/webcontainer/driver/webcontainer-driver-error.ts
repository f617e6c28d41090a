import { AgentHostError } from '../../../errors.js';
import type { WebContainerDriveResult } from './driver-browser.js';

/** Why a headless WebContainer run stopped. */
export type WebContainerDriverErrorCode =
  | 'INVALID_ARGUMENT'
  | 'PLAYWRIGHT_MISSING'
  | 'CHROMIUM_MISSING'
  | 'PAGE_FAILED'
  | 'RESULT_TIMEOUT'
  | 'RUNTIME_UNREACHABLE';

/**
 * A one-line, user-facing reason the headless driver stopped, with the results it collected before: an
 * `AgentHostError` whose code is in the one table.
 */
export class WebContainerDriverError extends AgentHostError {
  override readonly name: string = 'WebContainerDriverError';
  declare readonly code: WebContainerDriverErrorCode;
  /** The provisions measured before it stopped (the last one included when the runtime was unreachable). */
  readonly results: WebContainerDriveResult[];

  constructor(
    code: WebContainerDriverErrorCode,
    message: string,
    options: { cause?: unknown; results?: WebContainerDriveResult[] } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.results = options.results ?? [];
  }
}

/** The first line of an error's message (playwright appends call logs). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
