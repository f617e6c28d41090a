import { isBootstrapError } from '@sbx/bootstrap';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The JSON error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/** Builds an error body. */
export function errorBody(code: string, message: string, issues?: ErrorBody['error']['issues']): ErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  INVALID_SPEC: 400,
  ENGINE_UNREACHABLE: 503,
  IMAGE_NOT_FOUND: 422,
  PULL_FAILED: 502,
  DEADLINE_EXCEEDED: 504,
  READINESS_TIMEOUT: 504,
  EXEC_TIMEOUT: 504,
  DISPOSED: 410,
};

/** Maps a sandbox failure to an HTTP status and body; unknown errors are 500s. */
export function toHttpError(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (isBootstrapError(error)) {
    return { status: STATUS_BY_CODE[error.code] ?? 502, body: errorBody(error.code, error.message) };
  }
  const code = (error as { code?: unknown })?.code;
  if (code === 'SANDBOX_ALREADY_STARTED') {
    return { status: 409, body: errorBody('SANDBOX_BUSY', 'a job is already running in this sandbox') };
  }
  return { status: 500, body: errorBody('INTERNAL', error instanceof Error ? error.message : String(error)) };
}
