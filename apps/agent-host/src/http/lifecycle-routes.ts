import { zValidator } from '@hono/zod-validator';
import type { Hono } from 'hono';
import type { z } from 'zod';
import type { HostSandbox } from '../core/host-adapter.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { logsQuerySchema, type sandboxInfoSchema, ttlRequestSchema } from './api-schemas.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';
import { NDJSON } from './exec-routes.js';
import { errorBody, validationHook } from './http-errors.js';
import { ndjsonStream, releaseWhenRead } from './output-encoder.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';

/** What the lifecycle routes need: the service (and its policy), and the counts of log follows open at once. */
export type LifecycleRouteDeps = { service: SandboxService } & {
  caps: ConcurrencyCaps;
};

/** `GET /v1/sandboxes`, `GET /v1/sandboxes/:id`, `POST /v1/sandboxes/:id/ttl`, `GET /v1/sandboxes/:id/logs`. */
export function lifecycleRoutes(app: Hono<AppEnv>, deps: LifecycleRouteDeps): void {
  app.get('/v1/sandboxes', (c) =>
    c.json({ sandboxes: deps.service.list(c.get('tenant')).map((s) => describe(deps, s)) }),
  );

  app.get('/v1/sandboxes/:id', (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    return c.json(describe(deps, found.sandbox));
  });

  app.post('/v1/sandboxes/:id/ttl', zValidator('json', ttlRequestSchema, validationHook), (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    try {
      const expiresAt = deps.service.extendTtl(found.sandbox.id, c.req.valid('json').ttlMs);
      return c.json({ expiresAt: new Date(expiresAt).toISOString() });
    } catch (error) {
      return failure(c, error);
    }
  });

  // The sandbox's own output as NDJSON, read as a stream within the output cap (a slow client pauses the read);
  // with `follow=1` until it ends or the client goes away, within the caps on follows open at once.
  app.get('/v1/sandboxes/:id/logs', zValidator('query', logsQuerySchema, validationHook), (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    const { sandbox } = found;
    const { logs } = sandbox;
    if (!logs) {
      return c.json(errorBody('NOT_SUPPORTED', `${sandbox.type} sandboxes have no logs here`), 501);
    }
    const { follow, tail } = c.req.valid('query');
    let release = () => {};
    if (follow === '1') {
      try {
        release = takeFollow(deps, c.get('tenant'));
      } catch (error) {
        return failure(c, error);
      }
    }
    const body = ndjsonStream(c.req.raw.signal, async (sink) => {
      try {
        const { truncated } = await logs.call(sandbox, {
          follow: follow === '1',
          ...(tail === undefined ? {} : { tail }),
          maxOutputBytes: deps.service.policy.maxExecOutputBytes,
          signal: sink.signal,
          onOutput: sink.output,
        });
        sink.flush();
        sink.send({ end: { truncated } });
      } catch (error) {
        sink.send({ end: { truncated: false, error: String((error as Error).message) } });
      }
    });
    return new Response(releaseWhenRead(body, release), {
      headers: { 'content-type': NDJSON, 'cache-control': 'no-store' },
    });
  });
}

// One slot of the tenant's and the host's count of log follows, or TOO_MANY_CONCURRENT.
function takeFollow(deps: LifecycleRouteDeps, tenant: string): () => void {
  const { maxFollowsPerTenant, maxFollowsTotal } = deps.service.policy;
  return deps.caps.acquire([
    {
      key: `follow:tenant:${tenant}`,
      cap: maxFollowsPerTenant,
      refusal: `at most ${maxFollowsPerTenant} log reads with follow=1 open at once per tenant: close one first`,
    },
    {
      key: 'follow:all',
      cap: maxFollowsTotal,
      refusal: `this host has at most ${maxFollowsTotal} log reads with follow=1 open at once: try again later`,
    },
  ]);
}

function describe(deps: LifecycleRouteDeps, sandbox: HostSandbox): z.infer<typeof sandboxInfoSchema> {
  const times = deps.service.times(sandbox.id);
  const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();
  return {
    id: sandbox.id,
    type: sandbox.type,
    state: 'live',
    image: sandbox.image ?? null,
    runtime: sandbox.runtime ?? null,
    network: sandbox.network ?? null,
    agent: sandbox.agent !== undefined,
    pool: sandbox.pool ?? deps.service.poolOf(sandbox.id) ?? null,
    createdAt: iso(times?.createdAt),
    expiresAt: iso(times?.expiresAt),
    lastActiveAt: iso(times?.lastActiveAt),
  };
}
