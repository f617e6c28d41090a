import { zValidator } from '@hono/zod-validator';
import type { Context, Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { z } from 'zod';
import { PREVIEW_PARAM, type PreviewSigner } from '../auth/preview-signer.js';
import type { HostSandbox } from '../core/host-adapter.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { fromAgentError, requireAgent } from './agent-access.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';
import { validationHook } from './http-errors.js';
import { forwardedRequestHeaders, upstreamPath } from './port-headers.js';
import { proxyHttp } from './port-proxy.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';
import { pipeTunnel, requestHead } from './tunnel-pipe.js';
import type { RawUpgradeEnv } from './upgrade-bridge.js';

/** What the preview routes need. */
export type PortRouteDeps = { service: SandboxService } & {
  caps: ConcurrencyCaps;
  signer: PreviewSigner;
};

/** The preview paths: `/v1/sandboxes/ID/ports/PORT` and anything below it. */
export const PORTS_PATH = /^\/v1\/sandboxes\/([^/]+)\/ports\/(\d{1,5})(?:\/|$)/;

/** The path that signs a preview URL (JSON, bearer only): not part of the preview it signs for. */
export const PREVIEW_URL_PATH = /^\/v1\/sandboxes\/[^/]+\/ports\/\d{1,5}\/url$/;

/** Body of `POST /v1/sandboxes/:id/ports/:port/url`. */
export const previewUrlRequestSchema = z
  .object({ ttlSeconds: z.number().int().min(1).max(86_400).default(3_600) })
  .strict()
  .meta({ id: 'PreviewUrlRequest' });

/** Answer of `POST /v1/sandboxes/:id/ports/:port/url`. */
export const previewUrlSchema = z
  .object({ url: z.string(), expiresAt: z.string().describe('ISO 8601') })
  .meta({ id: 'PreviewUrl' });

const portParam = z.coerce.number().int().min(1).max(65_535);

/**
 * Preview ports: `ALL /v1/sandboxes/:id/ports/:port/*` (HTTP and WebSocket upgrades) tunnelled through the
 * agent to 127.0.0.1:PORT inside the sandbox (its network stays `none`); `POST .../ports/:port/url` signs a
 * URL a browser can open; `GET /v1/sandboxes/:id/tunnels/:port` with `Upgrade: sbx-tunnel` is a raw TCP
 * tunnel (`sbx port-forward`). Each connection holds a slot of its sandbox's and tenant's caps.
 */
export function portRoutes(app: Hono<AppEnv>, deps: PortRouteDeps): void {
  app.post(
    '/v1/sandboxes/:id/ports/:port/url',
    zValidator('json', previewUrlRequestSchema, validationHook),
    (c) => {
      const port = portParam.safeParse(c.req.param('port'));
      if (!port.success) return badPort(c);
      const found = findSandbox(deps, c.req.param('id') as string, c.get('tenant'));
      if ('status' in found) return c.json(found.body, found.status);
      try {
        requireAgent(found.sandbox);
        const { ttlSeconds } = c.req.valid('json');
        const signed = deps.signer.sign(found.sandbox.id, port.data, c.get('tenant'), ttlSeconds);
        const origin = new URL(c.req.url).origin;
        const path = `/v1/sandboxes/${encodeURIComponent(found.sandbox.id)}/ports/${port.data}/`;
        return c.json({
          url: `${origin}${path}?${PREVIEW_PARAM}=${signed.token}`,
          expiresAt: new Date(signed.expiresAt * 1000).toISOString(),
        });
      } catch (error) {
        return failure(c, error);
      }
    },
  );

  const preview = (c: Context<AppEnv>) => servePreview(c, deps);
  // GET is named on its own so the API description lists it; every other method is the same route.
  for (const path of ['/v1/sandboxes/:id/ports/:port', '/v1/sandboxes/:id/ports/:port/*']) {
    app.get(path, preview);
    app.all(path, preview);
  }
  app.get('/v1/sandboxes/:id/tunnels/:port', (c) => serveTunnel(c, deps));
}

async function servePreview(c: Context<AppEnv>, deps: PortRouteDeps): Promise<Response> {
  const port = portParam.safeParse(c.req.param('port'));
  if (!port.success) return badPort(c);
  const found = findSandbox(deps, c.req.param('id') as string, c.get('tenant'));
  if ('status' in found) return c.json(found.body, found.status);
  const url = new URL(c.req.url);
  const prefix = `/v1/sandboxes/${c.req.param('id')}/ports/${port.data}`;
  const token = url.searchParams.get(PREVIEW_PARAM);
  if (token !== null && (c.req.method === 'GET' || c.req.method === 'HEAD') && !isUpgrade(c)) {
    // The token becomes a cookie of this path only; the address bar (and the app) no longer show it.
    const verified = deps.signer.verify(token, found.sandbox.id, port.data);
    if (verified) {
      setCookie(c, PREVIEW_PARAM, token, {
        path: prefix,
        httpOnly: true,
        sameSite: 'Lax',
        maxAge: Math.max(1, verified.expiresAt - Math.floor(Date.now() / 1000)),
      });
    }
    url.searchParams.delete(PREVIEW_PARAM);
    return c.redirect(`${url.pathname}${url.search}`, 303);
  }
  if (url.pathname === prefix && !isUpgrade(c)) return c.redirect(`${prefix}/${url.search}`, 308);
  let hold: Held;
  try {
    hold = await openTunnel(deps, c, found.sandbox, port.data);
  } catch (error) {
    return failure(c, fromAgentError(error, `port ${port.data} in sandbox ${found.sandbox.id}`));
  }
  const path = upstreamPath(`${url.pathname}${url.search}`, prefix);
  const upgrade = (c.env as Partial<RawUpgradeEnv> | undefined)?.raw;
  if (upgrade && isUpgrade(c)) {
    const { socket, head } = upgrade.take();
    const headers = forwardedRequestHeaders(c.req.raw.headers.entries(), port.data, prefix, true);
    pipeTunnel(socket, hold.tunnel, {
      prelude: requestHead(c.req.method, path, headers),
      head,
      idleTimeoutMs: deps.service.policy.portIdleTimeoutMs,
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
      port: port.data,
      prefix,
      idleTimeoutMs: deps.service.policy.portIdleTimeoutMs,
      maxBodyBytes: deps.service.policy.maxFileBytes,
      signal: c.req.raw.signal,
      onClose: hold.release,
    });
  } catch (error) {
    return failure(c, error);
  }
}

async function serveTunnel(c: Context<AppEnv>, deps: PortRouteDeps): Promise<Response> {
  const port = portParam.safeParse(c.req.param('port'));
  if (!port.success) return badPort(c);
  const upgrade = (c.env as Partial<RawUpgradeEnv> | undefined)?.raw;
  if (!upgrade || (c.req.header('upgrade') ?? '').toLowerCase() !== 'sbx-tunnel') {
    return c.json(
      { error: { code: 'UPGRADE_REQUIRED', message: 'send Connection: Upgrade and Upgrade: sbx-tunnel' } },
      426,
    );
  }
  const found = findSandbox(deps, c.req.param('id') as string, c.get('tenant'));
  if ('status' in found) return c.json(found.body, found.status);
  let hold: Held;
  try {
    hold = await openTunnel(deps, c, found.sandbox, port.data);
  } catch (error) {
    return failure(c, fromAgentError(error, `port ${port.data} in sandbox ${found.sandbox.id}`));
  }
  const { socket, head } = upgrade.take();
  pipeTunnel(socket, hold.tunnel, {
    greeting: Buffer.from(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: sbx-tunnel\r\n\r\n',
    ),
    head,
    idleTimeoutMs: deps.service.policy.portIdleTimeoutMs,
    onClose: hold.release,
  });
  return c.body(null, 200);
}

interface Held {
  tunnel: import('node:stream').Duplex;
  release: () => void;
}

// A slot under the caps, the sandbox marked in use, and a tunnel to the port; all released together.
async function openTunnel(
  deps: PortRouteDeps,
  c: Context<AppEnv>,
  sandbox: HostSandbox,
  port: number,
): Promise<Held> {
  const agent = requireAgent(sandbox);
  const { maxPortConnectionsPerSandbox: perSandbox, maxPortConnectionsPerTenant: perTenant } =
    deps.service.policy;
  const releaseSlot = deps.caps.acquire([
    {
      key: `port:sandbox:${sandbox.id}`,
      cap: perSandbox,
      refusal: `at most ${perSandbox} preview connections at once to one sandbox: close one first`,
    },
    {
      key: `port:tenant:${c.get('tenant')}`,
      cap: perTenant,
      refusal: `at most ${perTenant} preview connections at once per tenant: close one first`,
    },
  ]);
  let endUse: () => void = () => {};
  try {
    const tunnel = await new Promise<import('node:stream').Duplex>((resolve, reject) => {
      // The tunnel counts as use of the sandbox (it does not idle away) until it closes; the host's
      // shutdown closes it.
      deps.service
        .use(
          sandbox,
          (signal) =>
            new Promise<void>((done) => {
              endUse = done;
              agent.openPort(port, { signal }).then((t) => {
                signal.addEventListener('abort', () => t.destroy(), { once: true });
                t.once('close', done);
                resolve(t);
              }, reject);
            }),
          c.req.raw.signal,
        )
        .catch(reject);
    });
    return {
      tunnel,
      release: () => {
        endUse();
        releaseSlot();
      },
    };
  } catch (error) {
    endUse();
    releaseSlot();
    throw error;
  }
}

function isUpgrade(c: Context): boolean {
  return (
    (c.req.header('connection') ?? '').toLowerCase().includes('upgrade') &&
    c.req.header('upgrade') !== undefined
  );
}

function badPort(c: Context) {
  return c.json(
    { error: { code: 'INVALID_REQUEST', message: 'port: must be a whole number from 1 to 65535' } },
    400,
  );
}
