import { zValidator } from '@hono/zod-validator';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { PREVIEW_PARAM, type PreviewSigner } from '../auth/preview-signer.js';
import type { HostSandbox } from '../core/host-adapter.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { fromAgentError, requireAgent } from './agent-access.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';
import { validationHook } from './http-errors.js';
import { forwardPreview, forwardRawTunnel, previewRedirect } from './port-forward.js';
import { openPortTunnel, type PortTunnel } from './port-tunnel.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';
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
  const prefix = `/v1/sandboxes/${c.req.param('id')}/ports/${port.data}`;
  const target = { sandboxId: found.sandbox.id, port: port.data, prefix };
  const redirect = previewRedirect(c, deps.signer, target);
  if (redirect) return redirect;
  const hold = await openTunnel(c, deps, found.sandbox, port.data);
  if (hold instanceof Response) return hold;
  return forwardPreview(c, hold, target, deps.service.policy);
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
  const hold = await openTunnel(c, deps, found.sandbox, port.data);
  if (hold instanceof Response) return hold;
  return forwardRawTunnel(c, upgrade, hold, deps.service.policy);
}

// The tunnel for this request, or the error answer (caps, no agent, the agent's refusal).
async function openTunnel(
  c: Context<AppEnv>,
  deps: PortRouteDeps,
  sandbox: HostSandbox,
  port: number,
): Promise<PortTunnel | Response> {
  try {
    return await openPortTunnel(deps, sandbox, port, { tenant: c.get('tenant'), signal: c.req.raw.signal });
  } catch (error) {
    return failure(c, fromAgentError(error, `port ${port} in sandbox ${sandbox.id}`));
  }
}

function badPort(c: Context) {
  return c.json(
    { error: { code: 'INVALID_REQUEST', message: 'port: must be a whole number from 1 to 65535' } },
    400,
  );
}
