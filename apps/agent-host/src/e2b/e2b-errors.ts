import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { toHttpError } from '../http/http-errors.js';

/** An E2B control-plane error answer: `{ code, message }` with the HTTP status as `code` (the SDK reads both). */
export function e2bError(c: Context, status: ContentfulStatusCode, message: string): Response {
  return c.json({ code: status, message }, status);
}

/** The E2B answer to a host error: the host's status and its one-line message (`CODE: what to do`). */
export function e2bFailure(c: Context, error: unknown): Response {
  const { status, body } = toHttpError(error);
  if (status === 429 || status === 503) c.header('Retry-After', '5');
  return e2bError(c, status, `${body.error.code}: ${body.error.message}`);
}

/** A 400 naming the first wrong field of a body or query. */
export function e2bInvalid(c: Context, error: z.ZodError): Response {
  const issue = error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  return e2bError(c, 400, `${path}: ${issue?.message ?? 'invalid'}`);
}
