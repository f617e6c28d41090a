import { Hono } from 'hono';
import type { HostSandbox } from '../core/host-adapter.js';
import type { ConcurrencyCaps } from '../http/concurrency-caps.js';
import { type AuthOptions, clientAddress, tooManyGuesses } from '../http/request-guard.js';
import { connectHandler } from './connect-handler.js';
import { e2bError } from './e2b-errors.js';
import type { E2bHost } from './e2b-host.js';
import type { E2bSandboxes } from './e2b-sandboxes.js';
import { fileTransfer } from './file-transfer.js';
import { filesystemService } from './filesystem-service.js';
import { Filesystem } from './gen/filesystem/filesystem_pb.js';
import { Process } from './gen/process/process_pb.js';
import { processService } from './process-service.js';
import { ProcessTable } from './process-table.js';
import type { SandboxCall } from './sandbox-context.js';
import { factsOf } from './sandbox-labels.js';

/** What the sandbox plane needs. */
export interface SandboxPlaneDeps {
  host: E2bHost;
  sandboxes: E2bSandboxes;
  caps: ConcurrencyCaps;
  auth?: AuthOptions;
}

type Env = { Variables: { call: SandboxCall } };

/**
 * E2B's sandbox plane (what the SDK sends to its sandbox daemon): routed by `E2b-Sandbox-Id`, authenticated by
 * the sandbox's `X-Access-Token`; `process.Process` and `filesystem.Filesystem` over Connect, `GET`/`POST
 * /files`, `GET /health`. A paused sandbox answers 502, as a sandbox that is not running does.
 */
export function sandboxPlane(deps: SandboxPlaneDeps): Hono<Env> {
  const app = new Hono<Env>();
  const table = new ProcessTable();
  const handle = connectHandler((router) => {
    router.service(Process, processService({ host: deps.host, table, caps: deps.caps }));
    router.service(Filesystem, filesystemService(deps.host));
  });

  app.use('*', async (c, next) => {
    if (deps.auth) {
      const refused = tooManyGuesses(c, deps.auth);
      if (refused) return refused;
    }
    const id = c.req.header('e2b-sandbox-id') ?? '';
    if (!deps.sandboxes.has(id))
      return e2bError(c, 502, `sandbox ${JSON.stringify(id.slice(0, 64))} is not running`);
    const record = deps.sandboxes.byToken(id, c.req.header('x-access-token'));
    if (!record) {
      if (c.req.header('x-access-token') !== undefined) deps.auth?.guesses?.fail(clientAddress(c));
      return e2bError(
        c,
        401,
        `send E2b-Sandbox-Id and the X-Access-Token its create reply gave (sandbox ${JSON.stringify(id.slice(0, 64))})`,
      );
    }
    const sandbox = deps.host.find(record.id, record.tenant);
    if (!sandbox) {
      table.drop(record.id);
      deps.sandboxes.delete(record.id);
      return e2bError(c, 502, `sandbox ${record.id} is not running any more`);
    }
    if (factsOf(deps.host, record.id)?.paused)
      return e2bError(c, 502, `sandbox ${record.id} is paused: connect to it to resume it`);
    const user = basicUser(c.req.header('authorization'));
    record.user ??= user === undefined ? undefined : await whoami(deps.host, sandbox, c.req.raw.signal);
    c.set('call', { sandbox, record, user, sandboxUser: record.user ?? '' });
    return next();
  });

  app.get('/health', (c) => c.body(null, 204));
  fileTransfer(app, deps.host);
  app.post('/:service{[a-z]+\\.[A-Za-z]+}/:method{[A-Za-z]+}', async (c) => {
    const path = `/${c.req.param('service')}/${c.req.param('method')}`;
    const response = await handle(path, c.req.raw, c.get('call'));
    return response ?? e2bError(c, 404, `no sandbox-plane method ${path} here`);
  });
  app.notFound((c) => e2bError(c, 404, `no sandbox-plane route ${c.req.method} ${c.req.path} here`));
  return app;
}

// The user a sandbox's commands run as by default ('' when it cannot say).
async function whoami(host: E2bHost, sandbox: HostSandbox, signal: AbortSignal): Promise<string | undefined> {
  try {
    const result = await host.exec(sandbox, {
      argv: ['id', '-un'],
      timeoutMs: 10_000,
      signal,
      onOutput: () => {},
    });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

// The SDK names a user as `Authorization: Basic base64(user:)`.
function basicUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,200})$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const user = Buffer.from(match[1], 'base64').toString('utf8').split(':')[0];
  return user || undefined;
}
