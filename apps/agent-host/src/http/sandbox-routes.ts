import type { Hono } from 'hono';
import type { AgentHost } from '../compose/open-agent-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { admitSandboxBody, parseSandboxBody } from '../kinds/sandbox-body.js';
import { errorBody } from './http-errors.js';
import { handOut, isPoolRequest } from './pool-routes.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';

/** What the sandbox routes need. */
export type SandboxRouteDeps = Pick<AgentHost, 'host'> & { policy: SandboxPolicy };

/**
 * `POST /v1/sandboxes` (any type, through the adapter registry) and `DELETE /v1/sandboxes/:id`; a tenant sees
 * only its own. Exec, files and lifecycle routes are in their own modules.
 */
export function sandboxRoutes(app: Hono<AppEnv>, deps: SandboxRouteDeps): void {
  app.post('/v1/sandboxes', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(errorBody('INVALID_REQUEST', 'body: not valid JSON'), 400);
    }
    if (isPoolRequest(body)) return handOut(c, body, deps);
    try {
      const parsed = parseSandboxBody(body, deps.policy);
      const { type: sandboxType, deadlineMs } = parsed;
      const adapter = deps.host.adapter(sandboxType);
      await adapter?.ping?.(); // an unreachable engine is a 503, not a recorded failure
      // The runtime, network and template against the policy and the engine: a 400 records nothing.
      await admitSandboxBody(parsed, deps.policy, adapter);
      const { sandbox, result } = await deps.host.provision(sandboxType, parsed.spec, {
        tenant: c.get('tenant'),
        signal: c.req.raw.signal,
        ...(deadlineMs ? { deadlineMs } : {}),
      });
      const { phases = [], attributes: _attributes, ...summary } = result;
      return c.json({ id: sandbox.id, result: summary, phases }, 201);
    } catch (error) {
      return failure(c, error);
    }
  });

  app.delete('/v1/sandboxes/:id', async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    try {
      await deps.host.dispose(found.sandbox.id);
      return c.body(null, 204);
    } catch (error) {
      return failure(c, error);
    }
  });
}
