import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { FILES_PATH } from './file-routes.js';
import { errorBody } from './http-errors.js';
import { PORTS_PATH, PREVIEW_URL_PATH } from './port-routes.js';
import { MAX_STDIN_BODY_BYTES, STDIN_PATH } from './process-schemas.js';

/** The E2B door's upload path (`POST /files` of its sandbox plane). */
export const E2B_FILES_PATH = '/e2b/envd/files';

/** The largest JSON body of a `/v1/*` call (a sandbox spec, an exec). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** The largest browser measurement posted to `/v1/provisions`. */
export const MAX_INGEST_BODY_BYTES = 16 * 1024;
/** The largest sign-in form (`POST /login`): a token is 43 characters. */
export const MAX_LOGIN_BODY_BYTES = 4 * 1024;

/**
 * A declared body over the limit but at most this large is read and dropped after the 413 (by the node server,
 * streaming, nothing kept), so a client still sending it reads the answer instead of a broken pipe; a larger
 * one, or an undeclared one, closes the connection.
 */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/** The body limit that applies to one request. */
export interface BodyRule {
  maxBytes: number;
  /**
   * The route reads its body as a stream and counts it itself (file uploads: `maxFileBytes` is too much to
   * buffer before authentication): only a declared `Content-Length` is checked up front.
   */
  streamed?: boolean;
}

/** The body limit of every route: login form, ingest, file uploads (the policy's), and JSON for the rest. */
export function bodyRuleOf(path: string, maxFileBytes: number, method = 'PUT'): BodyRule {
  if (path === '/login') return { maxBytes: MAX_LOGIN_BODY_BYTES };
  if (path === '/v1/provisions') return { maxBytes: MAX_INGEST_BODY_BYTES };
  // A DELETE of a file reads no body: it gets the JSON limit, so nothing unbounded is drained after it.
  if (FILES_PATH.test(path) && method !== 'DELETE') return { maxBytes: maxFileBytes, streamed: true };
  if (STDIN_PATH.test(path)) return { maxBytes: MAX_STDIN_BODY_BYTES };
  // A preview's request body streams to the sandbox's server, counted by the proxy.
  if (PORTS_PATH.test(path) && !PREVIEW_URL_PATH.test(path))
    return { maxBytes: maxFileBytes, streamed: true };
  // The E2B door's uploads: multipart around the policy's file size (the route counts its own bytes).
  if (path === E2B_FILES_PATH) return { maxBytes: maxFileBytes + 64 * 1024, streamed: true };
  return { maxBytes: MAX_JSON_BODY_BYTES };
}

/**
 * Bounds every request body before anything else runs (authentication included): a declared `Content-Length`
 * over the limit is refused at once; a body without one (chunked) is read up to the limit and refused the
 * moment it passes it (streamed routes count their own). 413 `BODY_TOO_LARGE` names the limit; the connection
 * is closed so the rest of a huge body is not read (a declared one up to `DRAIN_MAX_BYTES` is dropped instead).
 */
export function bodyLimits(ruleOf: (path: string, method: string) => BodyRule): MiddlewareHandler {
  return async (c, next) => {
    const rule = ruleOf(c.req.path, c.req.method);
    const tooLarge = (ctx: Context, drain = false) => {
      if (!drain) ctx.header('Connection', 'close');
      return ctx.json(errorBody('BODY_TOO_LARGE', `request body over ${rule.maxBytes} bytes`), 413);
    };
    const declared = c.req.header('content-length');
    if (declared !== undefined && !(Number(declared) <= rule.maxBytes)) {
      return tooLarge(c, Number(declared) <= DRAIN_MAX_BYTES);
    }
    if (rule.streamed) return next();
    // GET and HEAD carry no body here (the node adapter never reads one; the rest is drained and dropped), and a
    // declared length within the limit was checked above (hono's bodyLimit does no more for it). Neither touches
    // `c.req.raw.body`: that builds a web stream over the request (~1-2 ms of CPU a request on a small host) where
    // the node adapter otherwise reads the body directly.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) return next();
    return bodyLimit({ maxSize: rule.maxBytes, onError: tooLarge })(c, next);
  };
}
