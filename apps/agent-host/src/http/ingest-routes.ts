import { zValidator } from '@hono/zod-validator';
import type { Hono } from 'hono';
import type { AgentHost } from '../compose/agent-host.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { errorBody, validationHook } from './http-errors.js';
import { ingestSchema, toProvisionResult } from './ingest-schema.js';
import { RateLimiter } from './rate-limiter.js';
import type { AppEnv } from './request-guard.js';
import { listQuerySchema } from './schemas.js';

/** What the provisioning routes need: the service that records, the KPIs that list. */
export type IngestRouteDeps = Pick<AgentHost, 'kpis'> & { service: SandboxService };

/**
 * `POST /v1/provisions`: a provisioning measured elsewhere (the WebContainer page, any browser app), stored like
 * docker's with `source` (rate-limited per tenant); `GET /v1/provisions`: the recent rows, without tenants.
 */
export function ingestRoutes(app: Hono<AppEnv>, deps: IngestRouteDeps, source: 'client' | 'cold'): void {
  const { policy } = deps.service;
  const ingestRate = new RateLimiter(policy.ingestPerMinute);
  app.post(
    '/v1/provisions',
    async (c, next) => {
      const retryAfter = ingestRate.take(c.get('tenant'));
      if (retryAfter === 0) return next();
      c.header('Retry-After', String(retryAfter));
      return c.json(
        errorBody('RATE_LIMITED', `at most ${policy.ingestPerMinute} measurements a minute per tenant`),
        429,
      );
    },
    zValidator('json', ingestSchema, validationHook),
    async (c) => {
      const result = toProvisionResult(c.req.valid('json'));
      // Client-reported: shown apart (source `client`), never judged, since any token holder could forge it.
      await deps.service.recordExternal({
        ...result,
        attributes: { tenant: c.get('tenant'), source },
      });
      return c.json({ recorded: true }, 201);
    },
  );

  app.get('/v1/provisions', zValidator('query', listQuerySchema, validationHook), async (c) => {
    const { type, limit } = c.req.valid('query');
    const rows = await deps.kpis.listRecent({ limit, ...(type ? { type } : {}) });
    return c.json({ rows: rows.map(({ tenant: _tenant, ...row }) => row) });
  });
}
