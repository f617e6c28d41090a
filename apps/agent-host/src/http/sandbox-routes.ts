import type { Hono } from 'hono';
import type { SandboxService } from '../service/sandbox-service.js';
import { errorBody } from './http-errors.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';

/** What the sandbox routes need. */
export interface SandboxRouteDeps {
  service: SandboxService;
}

/**
 * `POST /v1/sandboxes` (any type, or `{ "pool": NAME }`: the service decides) and `DELETE /v1/sandboxes/:id`;
 * a tenant sees only its own. Exec, files and lifecycle routes are in their own modules.
 */
export function sandboxRoutes(app: Hono<AppEnv>, deps: SandboxRouteDeps): void {
  app.post('/v1/sandboxes', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(errorBody('INVALID_REQUEST', 'body: not valid JSON'), 400);
    }
    try {
      const created = await deps.service.create({ body, tenant: c.get('tenant'), signal: c.req.raw.signal });
      const { phases = [], attributes: _attributes, ...summary } = created.result;
      const id = created.sandbox.id;
      if (created.pool === undefined) return c.json({ id, result: summary, phases }, 201);
      // A pool's answer: `Server-Timing` has `acquire`, what the KPI row records (`serverTiming` adds the total).
      c.header('Server-Timing', `acquire;dur=${created.result.durationMs.toFixed(3)}`);
      return c.json({ id, source: created.source, pool: created.pool, result: summary, phases }, 201);
    } catch (error) {
      return failure(c, error);
    }
  });

  app.delete('/v1/sandboxes/:id', async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    try {
      await deps.service.dispose(found.sandbox.id);
      return c.body(null, 204);
    } catch (error) {
      return failure(c, error);
    }
  });
}
