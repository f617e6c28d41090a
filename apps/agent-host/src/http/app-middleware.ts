import type { MiddlewareHandler } from 'hono';
import { FILES_PATH } from './file-routes.js';
import { errorBody } from './http-errors.js';
import { PORTS_PATH, PREVIEW_URL_PATH } from './port-routes.js';
import { STDIN_PATH } from './process-schemas.js';

/** Every answer: no MIME sniffing, no referrer leaks, no framing by other sites. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  if (!c.res.headers.has('X-Frame-Options')) c.header('X-Frame-Options', 'DENY');
};

/**
 * A body that is not JSON is refused before anything reads it (a wrong content type is 415, not a field error);
 * file uploads carry bytes (application/octet-stream) or a tar, a process's stdin any bytes.
 */
export const jsonBodiesOnly: MiddlewareHandler = async (c, next) => {
  const write = c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH';
  // A preview passes the sandbox's own bodies on (any type); signing its URL takes JSON like the rest.
  const preview = PORTS_PATH.test(c.req.path) && !PREVIEW_URL_PATH.test(c.req.path);
  if (write && !FILES_PATH.test(c.req.path) && !STDIN_PATH.test(c.req.path) && !preview) {
    const type = c.req.header('content-type') ?? '';
    // A body comes with a length or chunked (HTTP/1.1); only an in-process Request may have neither. `raw.body`
    // last: it builds a web stream over the request, where the node adapter reads the JSON directly.
    const length = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const hasBody = length === undefined ? chunked || c.req.raw.body !== null : length !== '0';
    if (hasBody && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      return c.json(
        errorBody(
          'UNSUPPORTED_MEDIA_TYPE',
          `send application/json, got ${JSON.stringify(type || 'no content type')}`,
        ),
        415,
      );
    }
  }
  await next();
};
