import { PREVIEW_PARAM } from '../auth/preview-signer.js';
import { SESSION_COOKIE } from '../auth/sessions.js';

// Hop-by-hop headers (RFC 9110 7.6.1) and the host's own credentials never reach the sandbox.
const DROPPED_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'cookie',
  'x-access-token',
]);
const DROPPED_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The largest request or response head a preview passes on (Node's own default for a server). */
export const MAX_PREVIEW_HEADER_BYTES = 16 * 1024;

/**
 * The headers forwarded to the server in the sandbox: hop-by-hop ones dropped, `Host` set to its loopback
 * address, and the host's credentials removed (the bearer token, the dashboard session, the preview cookie and
 * an E2B `X-Access-Token`: code in the sandbox must never see what opens the host's API).
 */
export function forwardedRequestHeaders(
  headers: Iterable<[string, string]>,
  port: number,
  prefix: string,
  keepUpgrade = false,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (keepUpgrade && (name === 'upgrade' || name === 'connection')) {
      out[name] = value;
      continue;
    }
    if (name === 'cookie') {
      const kept = withoutHostCookies(value);
      if (kept) out.cookie = kept;
      continue;
    }
    if (DROPPED_REQUEST.has(name)) continue;
    out[name] = value;
  }
  out.host = `localhost:${port}`;
  out['x-forwarded-prefix'] = prefix;
  return out;
}

/** The upstream's response headers a client may see (hop-by-hop ones dropped). */
export function forwardedResponseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (DROPPED_RESPONSE.has(name)) continue;
    // The sandbox may set its own cookies, never the host's (a forged session or preview token).
    if (name === 'set-cookie' && isHostCookie(raw[i + 1] as string)) continue;
    try {
      headers.append(name, raw[i + 1] as string);
    } catch {
      // A header value the fetch API refuses is not passed on.
    }
  }
  return headers;
}

/** The request's path below `prefix`, with the preview token taken out of the query. */
export function upstreamPath(pathAndQuery: string, prefix: string): string {
  const question = pathAndQuery.indexOf('?');
  const path = question === -1 ? pathAndQuery : pathAndQuery.slice(0, question);
  const rest = path.slice(prefix.length) || '/';
  if (question === -1) return rest;
  const query = new URLSearchParams(pathAndQuery.slice(question + 1));
  query.delete(PREVIEW_PARAM);
  const text = query.toString();
  return text ? `${rest}?${text}` : rest;
}

function isHostCookie(setCookie: string): boolean {
  const name = setCookie.slice(0, setCookie.indexOf('=')).trim();
  return name === SESSION_COOKIE || name === PREVIEW_PARAM;
}

function withoutHostCookies(header: string): string {
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => {
      const name = part.slice(0, part.indexOf('=')).trim();
      return part !== '' && name !== SESSION_COOKIE && name !== PREVIEW_PARAM;
    })
    .join('; ');
}
