import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { PREVIEW_PARAM, type PreviewSigner } from '../auth/preview-signer.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { forwardedRequestHeaders, upstreamPath } from './port-headers.js';
import { proxyHttp } from './port-proxy.js';
import type { PortTunnel } from './port-tunnel.js';
import type { AppEnv } from './request-guard.js';
import { failure } from './route-helpers.js';
import { pipeTunnel, requestHead } from './tunnel-pipe.js';
import type { RawUpgradeEnv } from './upgrade-bridge.js';

/** Where a preview request goes: the port in the sandbox and the path prefix the host serves it under. */
export interface PreviewTarget {
  sandboxId: string;
  port: number;
  /** `/v1/sandboxes/ID/ports/PORT`, without the trailing slash. */
  prefix: string;
}

/** The policy fields a forwarded connection is bounded by. */
export type ForwardPolicy = Pick<SandboxPolicy, 'portIdleTimeoutMs' | 'maxFileBytes'>;

/** True for a request asking to switch protocols (`Connection: Upgrade` with an `Upgrade` header). */
export function isUpgrade(c: Context): boolean {
  return (
    (c.req.header('connection') ?? '').toLowerCase().includes('upgrade') &&
    c.req.header('upgrade') !== undefined
  );
}

/**
 * The redirect a preview's first visit gets: a signed `?sbx_preview=` token becomes a cookie of the preview's
 * path only (when it verifies) and leaves the URL; the bare prefix gets its trailing slash. Undefined otherwise.
 */
export function previewRedirect(
  c: Context<AppEnv>,
  signer: PreviewSigner,
  target: PreviewTarget,
): Response | undefined {
  const url = new URL(c.req.url);
  const token = url.searchParams.get(PREVIEW_PARAM);
  if (token !== null && (c.req.method === 'GET' || c.req.method === 'HEAD') && !isUpgrade(c)) {
    const verified = signer.verify(token, target.sandboxId, target.port);
    if (verified) {
      setCookie(c, PREVIEW_PARAM, token, {
        path: target.prefix,
        httpOnly: true,
        sameSite: 'Lax',
        maxAge: Math.max(1, verified.expiresAt - Math.floor(Date.now() / 1000)),
      });
    }
    url.searchParams.delete(PREVIEW_PARAM);
    return c.redirect(`${url.pathname}${url.search}`, 303);
  }
  if (url.pathname === target.prefix && !isUpgrade(c))
    return c.redirect(`${target.prefix}/${url.search}`, 308);
  return undefined;
}

/**
 * Forwards a preview request over `hold`'s tunnel: a WebSocket (or other) upgrade is piped both ways with its
 * request head rewritten; any other request is proxied as HTTP (headers rewritten, body and idleness bounded).
 * The tunnel is released when the connection ends.
 */
export async function forwardPreview(
  c: Context<AppEnv>,
  hold: PortTunnel,
  target: PreviewTarget,
  policy: ForwardPolicy,
): Promise<Response> {
  const url = new URL(c.req.url);
  const path = upstreamPath(`${url.pathname}${url.search}`, target.prefix);
  const upgrade = (c.env as Partial<RawUpgradeEnv> | undefined)?.raw;
  if (upgrade && isUpgrade(c)) {
    const { socket, head } = upgrade.take();
    const headers = forwardedRequestHeaders(c.req.raw.headers.entries(), target.port, target.prefix, true);
    pipeTunnel(socket, hold.tunnel, {
      prelude: requestHead(c.req.method, path, headers),
      head,
      idleTimeoutMs: policy.portIdleTimeoutMs,
      onClose: hold.release,
    });
    return c.body(null, 200);
  }
  try {
    return await proxyHttp(hold.tunnel, {
      method: c.req.method,
      path,
      headers: c.req.raw.headers.entries(),
      body: c.req.raw.body,
      port: target.port,
      prefix: target.prefix,
      idleTimeoutMs: policy.portIdleTimeoutMs,
      maxBodyBytes: policy.maxFileBytes,
      signal: c.req.raw.signal,
      onClose: hold.release,
    });
  } catch (error) {
    return failure(c, error);
  }
}

/** Answers a raw tunnel's upgrade (`101`, `Upgrade: sbx-tunnel`) and pipes the socket to `hold`'s tunnel. */
export function forwardRawTunnel(
  c: Context<AppEnv>,
  upgrade: RawUpgradeEnv['raw'],
  hold: PortTunnel,
  policy: ForwardPolicy,
): Response {
  const { socket, head } = upgrade.take();
  pipeTunnel(socket, hold.tunnel, {
    greeting: Buffer.from(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: sbx-tunnel\r\n\r\n',
    ),
    head,
    idleTimeoutMs: policy.portIdleTimeoutMs,
    onClose: hold.release,
  });
  return c.body(null, 200);
}
