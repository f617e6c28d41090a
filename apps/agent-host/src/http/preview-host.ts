import type { MiddlewareHandler } from 'hono';
import { errorBody } from './http-errors.js';

/** The hono `fetch` a rewritten request is run through again (the whole app: guards, authentication, routes). */
export type AppFetch = (request: Request, env: unknown) => Response | Promise<Response>;

/** The port and sandbox id a `PORT-ID` label names, or a one-line reason it names none. */
export type PreviewName = { port: number; id: string } | { error: string };

/** True when `name` (lower case, no port) is one label directly under `domain`: a candidate preview name. */
export function isUnderDomain(name: string, domain: string): boolean {
  const suffix = `.${domain.toLowerCase()}`;
  return name.endsWith(suffix) && name.length > suffix.length && !name.slice(0, -suffix.length).includes('.');
}

/** Parses the label of a preview name (`3000-sbx-1a2b`): port 1 to 65535, then the sandbox id. */
export function parsePreviewLabel(label: string): PreviewName {
  const match = /^(\d{1,5})-([a-z0-9][a-z0-9-]{0,127})$/.exec(label);
  if (!match) return { error: `host label ${JSON.stringify(label.slice(0, 80))} is not PORT-SANDBOXID` };
  const port = Number(match[1]);
  if (port < 1 || port > 65_535) return { error: `port ${match[1]}: must be a whole number from 1 to 65535` };
  return { port, id: match[2] as string };
}

/**
 * The E2B SDK's preview names (`sbx.getHost(port)` is `PORT-SANDBOXID.DOMAIN`): a request whose `Host` is such a
 * name under `domain` is run again as `/v1/sandboxes/ID/ports/PORT/PATH` (the same proxy, caps and
 * authentication: bearer token, or the signed preview query or cookie), and the answer's own `Location` and
 * preview-cookie paths are turned back to the name's root. Any other `Host` passes through untouched; a
 * malformed label is 400, an unknown sandbox the port route's 404. Put it first: bodies are bounded by the
 * rewritten request's rules.
 */
export function previewHostRouting(domain: string, fetch: AppFetch): MiddlewareHandler {
  const rewritten = new WeakSet<Request>();
  return async (c, next) => {
    if (rewritten.has(c.req.raw)) return next();
    const name = bareHost(c.req.header('host') ?? new URL(c.req.url).host);
    if (!isUnderDomain(name, domain)) return next();
    const parsed = parsePreviewLabel(name.slice(0, -(domain.length + 1)));
    if ('error' in parsed) return c.json(errorBody('INVALID_REQUEST', parsed.error), 400);
    const prefix = `/v1/sandboxes/${parsed.id}/ports/${parsed.port}`;
    const url = new URL(c.req.url);
    const raw = c.req.raw;
    const hasBody = raw.method !== 'GET' && raw.method !== 'HEAD' && raw.body !== null;
    const request = new Request(`${url.protocol}//${url.host}${prefix}${url.pathname}${url.search}`, {
      method: raw.method,
      headers: raw.headers,
      signal: raw.signal,
      ...(hasBody ? { body: raw.body, duplex: 'half' } : {}),
    } as RequestInit);
    rewritten.add(request);
    return toNameRoot(await fetch(request, c.env), prefix);
  };
}

// The preview route answers in its own paths (its redirects, the preview cookie): the name's root is `/`.
function toNameRoot(response: Response, prefix: string): Response {
  const location = response.headers.get('location');
  const cookies = response.headers.getSetCookie();
  const ownPath = (path: string) =>
    path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`);
  const moved = location !== null && ownPath(location);
  const pathCookie = new RegExp(`;\\s*Path=${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=;|$)`, 'i');
  if (!moved && !cookies.some((c) => pathCookie.test(c))) return response;
  const headers = new Headers(response.headers);
  if (moved) headers.set('location', location.slice(prefix.length) || '/');
  headers.delete('set-cookie');
  for (const cookie of cookies) headers.append('set-cookie', cookie.replace(pathCookie, '; Path=/'));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function bareHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d+$/, '');
}
