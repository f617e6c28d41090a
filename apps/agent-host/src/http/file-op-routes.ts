import { zValidator } from '@hono/zod-validator';
import type { Context, Hono } from 'hono';
import type { FileWatchEvent } from '../core/files-agent.js';
import type { HostSandbox } from '../core/host-adapter.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { fromAgentError, requireAgent } from './agent-access.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';
import { NDJSON } from './exec-routes.js';
import {
  fileListQuerySchema,
  fileRemoveQuerySchema,
  fileStatQuerySchema,
  fileWatchQuerySchema,
  isOn,
  mkdirRequestSchema,
  moveRequestSchema,
} from './file-op-schemas.js';
import { toEntry } from './file-routes.js';
import { errorBody, validationHook } from './http-errors.js';
import { ndjsonLine } from './output-encoder.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';

/** What the file operation routes need. */
export type FileOpRouteDeps = { service: SandboxService; caps: ConcurrencyCaps };

/**
 * `GET .../files/stat`, `GET .../files/list` (to a depth), `POST .../files/mkdir`, `POST .../files/move`,
 * `DELETE .../files` and `GET .../files/watch` (NDJSON): through the in-sandbox agent, as the sandbox's user or
 * `user`; stat and a one-level list fall back to the engine's archive API, the rest answer 409
 * `AGENT_UNAVAILABLE` without the agent. Every call is measured like a command.
 */
export function fileOpRoutes(app: Hono<AppEnv>, deps: FileOpRouteDeps): void {
  app.get('/v1/sandboxes/:id/files/stat', zValidator('query', fileStatQuerySchema, validationHook), (c) => {
    const { path, user } = c.req.valid('query');
    return run(c, deps, `stat ${path}`, async (sandbox, signal) => {
      if (!sandbox.agent && !user && sandbox.files) {
        const stat = await sandbox.files.stat(path, { signal });
        if (!stat) return c.json(errorBody('FILE_NOT_FOUND', `nothing at ${path} in this sandbox`), 404);
        return c.json({ ...toEntry(stat), path });
      }
      const stat = await requireAgent(sandbox, 'stat with a user').stat(path, { signal, ...only({ user }) });
      return c.json({ ...toEntry(stat), path: stat.path });
    });
  });

  app.get('/v1/sandboxes/:id/files/list', zValidator('query', fileListQuerySchema, validationHook), (c) => {
    const { path, depth, user } = c.req.valid('query');
    return run(c, deps, `listing ${path}`, async (sandbox, signal) => {
      if (!sandbox.agent && depth === 1 && !user && sandbox.files) {
        const listed = await sandbox.files.list(path, { signal, maxBytes: deps.service.policy.maxFileBytes });
        const entries = listed.entries.map((e) => ({ ...toEntry(e), path: join(path, e.name) }));
        return c.json({ path, entries, truncated: listed.truncated });
      }
      const agent = requireAgent(sandbox, 'a list deeper than 1 or as a user');
      const listed = await agent.list(path, { signal, depth, ...only({ user }) });
      const entries = listed.entries.map((e) => ({ ...toEntry(e), path: e.path }));
      return c.json({ path, entries, truncated: listed.truncated });
    });
  });

  app.post('/v1/sandboxes/:id/files/mkdir', zValidator('json', mkdirRequestSchema, validationHook), (c) => {
    const { path, mode, user } = c.req.valid('json');
    return run(c, deps, `creating ${path}`, async (sandbox, signal) => {
      const options = { signal, ...only({ user }), ...(mode ? { mode: Number.parseInt(mode, 8) } : {}) };
      const created = await requireAgent(sandbox, 'mkdir').mkdir(path, options);
      return c.json({ path, created }, created ? 201 : 200);
    });
  });

  app.post('/v1/sandboxes/:id/files/move', zValidator('json', moveRequestSchema, validationHook), (c) => {
    const { from, to, user } = c.req.valid('json');
    return run(c, deps, `moving ${from}`, async (sandbox, signal) => {
      await requireAgent(sandbox, 'move').move(from, to, { signal, ...only({ user }) });
      return c.json({ from, to });
    });
  });

  app.delete('/v1/sandboxes/:id/files', zValidator('query', fileRemoveQuerySchema, validationHook), (c) => {
    const { path, user } = c.req.valid('query');
    return run(c, deps, `removing ${path}`, async (sandbox, signal) => {
      await requireAgent(sandbox, 'remove').remove(path, { signal, ...only({ user }) });
      return c.body(null, 204);
    });
  });

  app.get('/v1/sandboxes/:id/files/watch', zValidator('query', fileWatchQuerySchema, validationHook), (c) =>
    watch(c, deps, c.req.valid('query')),
  );
}

// A measured call on the caller's live sandbox; an agent's refusal becomes the host's error.
async function run(
  c: Context<AppEnv>,
  deps: FileOpRouteDeps,
  what: string,
  fn: (sandbox: HostSandbox, signal: AbortSignal) => Promise<Response>,
): Promise<Response> {
  const found = findSandbox(deps, c.req.param('id') as string, c.get('tenant'));
  if ('status' in found) return c.json(found.body, found.status);
  try {
    return await deps.service.files(found.sandbox, (signal) => fn(found.sandbox, signal), c.req.raw.signal);
  } catch (error) {
    return failure(c, fromAgentError(error, `${what} in sandbox ${found.sandbox.id}`));
  }
}

// The watch's events as NDJSON, pulled from the agent only as fast as the client reads (the agent drops what
// the client cannot take and says `overflow`); it ends when the client goes away.
async function watch(
  c: Context<AppEnv>,
  deps: FileOpRouteDeps,
  { path, recursive, user }: { path: string; recursive?: string | undefined; user?: string | undefined },
): Promise<Response> {
  const found = findSandbox(deps, c.req.param('id') as string, c.get('tenant'));
  if ('status' in found) return c.json(found.body, found.status);
  const cap = deps.service.policy.maxWatchesPerTenant;
  let release: () => void;
  try {
    const agent = requireAgent(found.sandbox, 'a watch');
    // A missing path is a 404 before the stream starts, not an error line after a 200.
    await agent.stat(path, { signal: c.req.raw.signal, ...only({ user }) });
    release = deps.caps.acquire([
      {
        key: `watch:tenant:${c.get('tenant')}`,
        cap,
        refusal: `at most ${cap} file watches open at once per tenant: close one first`,
      },
    ]);
  } catch (error) {
    return failure(c, fromAgentError(error, `watching ${path} in sandbox ${found.sandbox.id}`));
  }
  const stop = new AbortController();
  const signal = AbortSignal.any([c.req.raw.signal, stop.signal]);
  const events = requireAgent(found.sandbox).watch(path, {
    signal,
    recursive: isOn(recursive),
    ...only({ user }),
  });
  async function* lines(): AsyncGenerator<Uint8Array> {
    try {
      for await (const event of events) yield ndjsonLine(toWatchLine(event));
    } catch (error) {
      if (!signal.aborted)
        yield ndjsonLine({ type: 'error', error: { code: codeOf(error), message: 'the watch ended' } });
    } finally {
      release();
    }
  }
  const iterator = lines();
  // The watch starts now (not at the client's first read) and runs at most one event ahead of the client.
  let next = iterator.next();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await next;
        if (done) return controller.close();
        controller.enqueue(value);
        next = iterator.next();
      },
      cancel() {
        stop.abort(new Error('the client went away'));
        void next.then(() => iterator.return(undefined));
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    headers: { 'content-type': NDJSON, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  });
}

function toWatchLine(event: FileWatchEvent) {
  return event.type === 'overflow'
    ? { type: 'overflow' }
    : { type: event.type, path: event.path, isDir: event.isDir ?? false };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

function only(fields: { user: string | undefined }): { user?: string } {
  return fields.user === undefined ? {} : { user: fields.user };
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}
