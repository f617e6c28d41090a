// The responses the route docs share: the error shape with its description, any JSON, an HTML page.
import { z } from 'zod';
import { errorSchema } from './api-schemas.js';
import type { ResponseDoc } from './openapi.js';

/** An error response: `{ error: { code, message } }`, described. */
export const err = (description: string): ResponseDoc => ({ description, schema: errorSchema });
/** A JSON object response whose shape the doc does not pin. */
export const anyJson = (description: string): ResponseDoc => ({
  description,
  schema: z.record(z.string(), z.unknown()),
});
/** An HTML page response. */
export const html = (description: string): ResponseDoc => ({
  description,
  contentType: 'text/html',
  schema: z.string(),
});

export const E400 = err('invalid request: the field and the reason');
export const E401 = err('no or unknown bearer token');
export const E404 = err("no such sandbox (or another tenant's)");
export const E410 = err('the sandbox is gone (exited, removed, expired or idle)');
export const E415 = err('the body is not application/json');
export const E503 = err('the engine is unreachable or the host is closing');
/** What every route of one sandbox may answer besides its own. */
export const sandboxErrors = { 400: E400, 401: E401, 404: E404, 410: E410 };
