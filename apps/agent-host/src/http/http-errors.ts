import { isBootstrapError } from '@sbx/bootstrap';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { ERROR_CODES, errorMapping } from '../error-codes.js';
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

/**
 * Maps a failure to its HTTP status (the one table, `ERROR_CODES`) and body (host paths hidden from its text);
 * errors without a code, and codes this host does not know, are 500s.
 */
export function toHttpError(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (isAgentHostError(error)) {
    return {
      status: errorMapping(error.code).status,
      body: errorBody(error.code, hideHostPaths(error.message), error.issues),
    };
  }
  if (isBootstrapError(error)) {
    return {
      status: errorMapping(error.code).status,
      body: errorBody(error.code, hideHostPaths(error.message)),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: ERROR_CODES.INTERNAL.status, body: errorBody('INTERNAL', hideHostPaths(message)) };
}

export { describeIssues };

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
