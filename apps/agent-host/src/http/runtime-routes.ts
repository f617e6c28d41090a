import { SANDBOX_TYPES } from '@sbx/timing';
import type { Hono } from 'hono';
import type { AgentHost } from '../compose/open-agent-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { runtimeChoices } from '../kinds/docker/docker-isolation.js';
import { errorBody } from './http-errors.js';
import type { AppEnv } from './request-guard.js';
import { failure } from './route-helpers.js';

/** What the runtime route needs. */
export type RuntimeRouteDeps = Pick<AgentHost, 'host'> & { policy: SandboxPolicy };

/**
 * `GET /v1/runtimes`: the runtimes the engine offers (read fresh: an operator may have just registered one),
 * whether the policy allows each, and whether sandboxes may ask for egress; `GET /v1/templates`: the built
 * templates.
 */
export function runtimeRoutes(app: Hono<AppEnv>, deps: RuntimeRouteDeps): void {
  app.get('/v1/runtimes', async (c) => {
    const type = SANDBOX_TYPES.find((t) => deps.host.adapter(t)?.listRuntimes);
    const adapter = type === undefined ? undefined : deps.host.adapter(type);
    if (type === undefined || !adapter?.listRuntimes) {
      return c.json(
        errorBody('NOT_SUPPORTED', 'this host provisions no sandboxes with engine runtimes'),
        501,
      );
    }
    try {
      const runtimes = await adapter.listRuntimes({ fresh: true });
      return c.json({
        type,
        default: runtimes.default,
        allowNetwork: deps.policy.allowNetwork,
        runtimes: runtimeChoices(runtimes, deps.policy),
      });
    } catch (error) {
      return failure(c, error);
    }
  });

  // `GET /v1/templates`: what `template: NAME` may name here (no host paths or build logs: name, hash, size).
  app.get('/v1/templates', async (c) => {
    const adapter = SANDBOX_TYPES.map((t) => deps.host.adapter(t)).find((a) => a?.listTemplates);
    try {
      const found = (await adapter?.listTemplates?.()) ?? [];
      const templates = found.map((t) => ({
        name: t.name,
        hash: t.hash ?? null,
        sizeBytes: t.sizeBytes,
        createdAt: t.createdAt,
        ready: t.ready ?? null,
      }));
      return c.json({ templates });
    } catch (error) {
      return failure(c, error);
    }
  });
}
