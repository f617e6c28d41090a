import type { Hono } from 'hono';
import type { SandboxService } from '../service/sandbox-service.js';
import { errorBody } from './http-errors.js';
import type { AppEnv } from './request-guard.js';
import { failure } from './route-helpers.js';

/** What the runtime route needs. */
export interface RuntimeRouteDeps {
  service: SandboxService;
}

/**
 * `GET /v1/runtimes`: the runtimes the engine offers (read fresh: an operator may have just registered one),
 * whether the policy allows each, and whether sandboxes may ask for egress; `GET /v1/templates`: the built
 * templates.
 */
export function runtimeRoutes(app: Hono<AppEnv>, deps: RuntimeRouteDeps): void {
  app.get('/v1/runtimes', async (c) => {
    try {
      const view = await deps.service.runtimes();
      if (view) return c.json(view);
      return c.json(
        errorBody('NOT_SUPPORTED', 'this host provisions no sandboxes with engine runtimes'),
        501,
      );
    } catch (error) {
      return failure(c, error);
    }
  });

  // `GET /v1/templates`: what `template: NAME` may name here (no host paths or build logs: name, hash, size).
  app.get('/v1/templates', async (c) => {
    try {
      return c.json({ templates: await deps.service.templates() });
    } catch (error) {
      return failure(c, error);
    }
  });
}
