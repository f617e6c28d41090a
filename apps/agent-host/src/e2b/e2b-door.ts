import { Hono } from 'hono';
import type { ConcurrencyCaps } from '../http/concurrency-caps.js';
import type { AuthOptions } from '../http/request-guard.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { AutoPause } from './auto-pause.js';
import { controlPlane } from './control-plane.js';
import { E2bHost } from './e2b-host.js';
import { E2bSandboxes } from './e2b-sandboxes.js';
import { sandboxPlane } from './sandbox-plane.js';

/** Where the door is mounted on the host's port: `E2B_API_URL=http://HOST:PORT/e2b/api`, sandbox `.../e2b/envd`. */
export const E2B_PREFIX = '/e2b';

/** What the E2B door needs: the sandbox service every door calls. */
export interface E2bDoorDeps {
  service: SandboxService;
  /** The HTTP API's counts of commands at once (the door's commands count against the same caps). */
  caps: ConcurrencyCaps;
  auth?: AuthOptions;
  /** The host's `domain` setting, returned to the SDK for `getHost()` names. */
  domain?: string;
  /** The door's records (default its own); the HTTP API shares them to accept `X-Access-Token` on previews. */
  sandboxes?: E2bSandboxes;
}

/**
 * The E2B-compatible front door: agents written for the `e2b` SDK run here with `E2B_API_URL`,
 * `E2B_SANDBOX_URL` and `E2B_API_KEY` (an sbx token). A thin caller of the sandbox service (see e2b-host.ts).
 *
 * @example
 * app.route(E2B_PREFIX, e2bDoor({ service, caps, auth }));
 */
export function e2bDoor(deps: E2bDoorDeps): Hono {
  const host = new E2bHost({ service: deps.service });
  const sandboxes = deps.sandboxes ?? new E2bSandboxes();
  const autoPause = new AutoPause({ host, sandboxes });
  host.keepDue((id) => autoPause.due(id));
  const app = new Hono();
  app.route(
    '/api',
    controlPlane({
      host,
      sandboxes,
      ...(deps.auth ? { auth: deps.auth } : {}),
      ...(deps.domain ? { domain: deps.domain } : {}),
    }),
  );
  app.route(
    '/envd',
    sandboxPlane({ host, sandboxes, caps: deps.caps, ...(deps.auth ? { auth: deps.auth } : {}) }),
  );
  return app;
}
