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

/** Describes an unknown thrown value for a log line or a stored record. */
export function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message };
  }
  return { name: 'NonError', message: String(error) };
}
