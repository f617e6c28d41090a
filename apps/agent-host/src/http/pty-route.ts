import { zValidator } from '@hono/zod-validator';
import type { Context, Hono } from 'hono';
import type { AgentProcess } from '../core/process-agent.js';
import { type ExecRouteDeps, takeSlot } from './exec-routes.js';
import { errorBody, validationHook } from './http-errors.js';
import { ptyQuerySchema } from './process-schemas.js';
import { runPtySession } from './pty-session.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';
import type { UpgradeEnv } from './websocket-upgrade.js';

/**
 * `GET /v1/sandboxes/:id/pty?cols&rows&cmd&cwd&user`: a terminal in the sandbox over a WebSocket (the upgrade
 * authenticated like any `/v1` call, by the bearer token). `cmd` runs with `sh -c` (default: `sh`). The open
 * terminal holds a slot of the sandbox's and the tenant's command caps, and is closed at the policy's command
 * time (`maxExecTimeoutMs`). A browser page of another origin is refused (403): a WebSocket carries no CORS check of its own.
 */
export function ptyRoute(app: Hono<AppEnv>, deps: ExecRouteDeps): void {
  app.get('/v1/sandboxes/:id/pty', zValidator('query', ptyQuerySchema, validationHook), async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    const upgrade = (c.env as UpgradeEnv | undefined)?.upgrade;
    if (!upgrade || (c.req.header('upgrade') ?? '').toLowerCase() !== 'websocket') {
      return c.json(errorBody('UPGRADE_REQUIRED', 'open it as a WebSocket (Upgrade: websocket)'), 426);
    }
    if (!sameOrigin(c)) {
      return c.json(
        errorBody('FORBIDDEN', 'a terminal is opened from the host itself or a non-browser client'),
        403,
      );
    }
    const { cols, rows, cmd, cwd, user } = c.req.valid('query');
    const { sandbox } = found;
    let release: () => void;
    try {
      deps.processes.agentOf(sandbox, 'a terminal');
      release = takeSlot(deps, c.get('tenant'), sandbox.id);
    } catch (error) {
      return failure(c, error);
    }
    let process: AgentProcess;
    try {
      const argv = cmd === undefined ? ['sh'] : ['sh', '-c', cmd];
      const options = { cols, rows, ...(cwd ? { cwd } : {}), ...(user ? { user } : {}) };
      process = await deps.processes.openPty(sandbox, argv, options);
    } catch (error) {
      release();
      return failure(c, error);
    }
    upgrade({
      accept: (ws) => runPtySession(ws, process, release, deps.service.policy.maxExecTimeoutMs),
      abandon: () => {
        process.close();
        release();
      },
    });
    return c.body(null, 200);
  });
}

// No Origin (a non-browser client), or the page was served by this host.
function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === (c.req.header('host') ?? '');
  } catch {
    return false;
  }
}
