import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { GuessLimiter } from '../auth/guess-limiter.js';
import { SESSION_COOKIE, type Sessions } from '../auth/sessions.js';
import type { TokenTable } from '../auth/token-file.js';
import { errorBody } from './http-errors.js';
import { isUnderDomain } from './preview-host.js';

/** The hono environment of the API: the tenant a request was authenticated as. */
export type AppEnv = { Variables: { tenant: string } };

/** How the API authenticates callers. */
export interface AuthOptions {
  tokens: TokenTable;
  sessions: Sessions;
  /** Bounds failed sign-ins and bad tokens per client address (`createApp` makes one from the policy). */
  guesses?: GuessLimiter;
}

/** The address of the client that sent the request (`unknown` for an in-process request). */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** 429 with `Retry-After` when the client has failed too often, before any token is looked at; else undefined. */
export function tooManyGuesses(c: Context, auth: AuthOptions): Response | undefined {
  const wait = auth.guesses?.retryAfter(clientAddress(c)) ?? 0;
  if (wait === 0) return undefined;
  c.header('Retry-After', String(wait));
  return c.json(
    errorBody('RATE_LIMITED', `too many failed sign-ins or bad tokens from this address; retry in ${wait} s`),
    429,
  );
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Answers 421 to a request whose `Host` is not a loopback name, the listening address or an allowed host:
 * a web page cannot reach a loopback host through DNS rebinding. With `previewDomain` (the E2B door's domain),
 * a name one label under it (`PORT-ID.DOMAIN`, see preview-host.ts) is served too.
 */
export function hostGuard(allowed: readonly string[], previewDomain?: string): MiddlewareHandler {
  const names = new Set([...LOOPBACK_NAMES, ...allowed.map((h) => h.toLowerCase())]);
  return async (c, next) => {
    // The request URL's host is the Host header on a real server (and the URL's own in `app.request()`).
    const name = hostName(c.req.header('host') ?? new URL(c.req.url).host);
    const preview = previewDomain !== undefined && isUnderDomain(name, previewDomain);
    if (!names.has(name) && !name.endsWith('.localhost') && !preview) {
      return c.json(
        errorBody('MISDIRECTED', `host ${JSON.stringify(name)} is not served here; see --allowed-host`),
        421,
      );
    }
    await next();
  };
}

/**
 * Authenticates `/v1/*` (and `/metrics` unless open): `Authorization: Bearer TOKEN`, or the dashboard's
 * session cookie (for a state-changing request only from the same origin). Else 401 and nothing done.
 */
export function requireTenant(auth: AuthOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const refused = tooManyGuesses(c, auth);
    if (refused) return refused;
    const tenant = tenantOf(c, auth);
    if (tenant === undefined) {
      // A token or a session that was presented and is wrong counts as a guess; none at all does not.
      if (c.req.header('authorization') !== undefined || getCookie(c, SESSION_COOKIE) !== undefined)
        auth.guesses?.fail(clientAddress(c));
      c.header('WWW-Authenticate', 'Bearer realm="sbx"');
      return c.json(
        errorBody('UNAUTHORIZED', 'send Authorization: Bearer TOKEN (see the token file sbx serve printed)'),
        401,
      );
    }
    c.set('tenant', tenant);
    await next();
  };
}

function tenantOf(c: Context, auth: AuthOptions): string | undefined {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ? auth.tokens.tenantOf(match[1]) : undefined;
  }
  const session = getCookie(c, SESSION_COOKIE);
  if (session === undefined) return undefined;
  const safe = c.req.method === 'GET' || c.req.method === 'HEAD';
  // A cookie rides along on cross-site requests too: only same-origin pages may change anything with it.
  if (!safe && c.req.header('sec-fetch-site') !== 'same-origin') return undefined;
  return auth.sessions.tenantOf(session);
}

function hostName(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d+$/, '');
}
