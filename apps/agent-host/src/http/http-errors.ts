import { isBootstrapError } from '@sbx/bootstrap';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { isAgentHostError } from '../errors.js';
import { hideHostPaths } from './host-paths.js';

/** The JSON error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/** Builds an error body. */
export function errorBody(code: string, message: string, issues?: ErrorBody['error']['issues']): ErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  // @sbx/bootstrap
  INVALID_SPEC: 400,
  ENGINE_UNREACHABLE: 503,
  IMAGE_NOT_FOUND: 422,
  PULL_FAILED: 502,
  // a runtime the engine does not have: the caller asked for it (the message lists what it has)
  RUNTIME_NOT_FOUND: 400,
  DEADLINE_EXCEEDED: 504,
  READINESS_TIMEOUT: 504,
  EXEC_TIMEOUT: 504,
  DISPOSED: 410,
  SANDBOX_GONE: 410,
  POOL_CLOSED: 503,
  FILE_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  READ_ONLY_PATH: 409,
  FILE_FAILED: 502,
  // the agent host
  INVALID_REQUEST: 400,
  INVALID_IMAGE: 400,
  POLICY_LIMIT: 400,
  // an unknown or unbuilt template: the message names the build command
  TEMPLATE_NOT_FOUND: 400,
  TOO_MANY_SANDBOXES: 429,
  TOO_MANY_TRANSFERS: 429,
  FILE_CHANGED: 409,
  TOO_MANY_CONCURRENT: 429,
  RATE_LIMITED: 429,
  UNSUPPORTED_TYPE: 400,
  HOST_CLOSING: 503,
  SANDBOX_NOT_FOUND: 404,
  POOL_NOT_FOUND: 404,
  NOT_SUPPORTED: 501,
  NOT_RECORDED: 500,
  STORE_UNAVAILABLE: 503,
  // the in-sandbox agent (files, watches, preview ports)
  AGENT_UNAVAILABLE: 409,
  FILE_EXISTS: 409,
  NOT_A_DIRECTORY: 409,
  IS_A_DIRECTORY: 409,
  PERMISSION_DENIED: 403,
  PORT_CLOSED: 502,
  PORT_FAILED: 502,
};

/** Maps a sandbox failure to an HTTP status and body (host paths hidden from its text); unknown errors are 500s. */
export function toHttpError(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (isAgentHostError(error)) {
    return {
      status: STATUS_BY_CODE[error.code] ?? 502,
      body: errorBody(error.code, hideHostPaths(error.message), error.issues),
    };
  }
  if (isBootstrapError(error)) {
    return {
      status: STATUS_BY_CODE[error.code] ?? 502,
      body: errorBody(error.code, hideHostPaths(error.message)),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: errorBody('INTERNAL', hideHostPaths(message)) };
}

/** Turns zod issues into `{ path, message }` pairs a client can act on. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** The `zValidator` hook: a 400 naming the first field that is wrong, with every issue listed. */
export function validationHook(
  result: { success: boolean; error?: unknown },
  c: { json: (b: unknown, s: 400) => Response },
) {
  if (result.success) return;
  const issues = describeIssues(result.error as z.ZodError);
  const first = issues[0];
  return c.json(
    errorBody('INVALID_REQUEST', first ? `${first.path}: ${first.message}` : 'invalid body', issues),
    400,
  );
}
