import { type FailureCause, failureCauseOfError } from './failure-cause.js';

/** Where timing reports problems it does not rethrow (a failing recorder or sink). */
export interface Logger {
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** The default logger: the console, prefixed so operators can grep it. */
export const consoleLogger: Logger = {
  warn: (message, details) => console.warn(`[sbx] ${message}`, details ?? ''),
  error: (message, details) => console.error(`[sbx] ${message}`, details ?? ''),
};

/**
 * Describes an unknown thrown value for a log line or a stored record: its name, message, its `code` and
 * `phase` when it has them (a `BootstrapError` says which provisioning phase failed), and whose fault it was
 * (`failureCauseOfError`: the platform's unless the error says `caller`).
 */
export function describeError(error: unknown): {
  name: string;
  message: string;
  code?: string;
  phase?: string;
  cause: FailureCause;
} {
  const cause = failureCauseOfError(error);
  if (error instanceof Error) {
    const { code, phase } = error as { code?: unknown; phase?: unknown };
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof phase === 'string' ? { phase } : {}),
      cause,
    };
  }
  return { name: 'NonError', message: String(error), cause };
}
