import { zValidator } from '@hono/zod-validator';
import type { Context, Hono } from 'hono';
import { fromAgentError } from '../core/agent-errors.js';
import type { HostSandbox } from '../core/host-adapter.js';
import type { AgentProcess } from '../core/process-agent.js';
import type { SandboxProcesses } from '../core/sandbox-processes.js';
import type { SandboxService } from '../service/sandbox-service.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';
import { NDJSON } from './exec-routes.js';
import { errorBody, toHttpError, validationHook } from './http-errors.js';
import { ndjsonStream, releaseWhenRead } from './output-encoder.js';
import { pidOf, signalRequestSchema, stdinQuerySchema } from './process-schemas.js';
import type { AppEnv } from './request-guard.js';
import { failure, findSandbox } from './route-helpers.js';

/** What the process routes need: the service (and its policy), the counts of streams at once, the processes. */
export type ProcessRouteDeps = { service: SandboxService } & {
  caps: ConcurrencyCaps;
  processes: SandboxProcesses;
};

/** The most processes one list answers (the agent keeps 256 running and 64 ended). */
export const MAX_LISTED_PROCESSES = 512;

/**
 * The processes of a sandbox with the in-sandbox agent: `GET .../processes`, `GET .../processes/:pid/output`
 * (NDJSON: the kept output, then live output, then an `exit` line; a follow under the follow caps, paused while
 * its reader is behind), `POST .../processes/:pid/signal` and `POST .../processes/:pid/stdin` (raw bytes,
 * `?eof=true` closes it). Another tenant's sandbox is a 404 with no detail; one without the agent is a 409.
 */
export function processRoutes(app: Hono<AppEnv>, deps: ProcessRouteDeps): void {
  app.get('/v1/sandboxes/:id/processes', async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    try {
      const listed = await deps.processes.list(found.sandbox, c.req.raw.signal);
      return c.json({ processes: listed.slice(0, MAX_LISTED_PROCESSES) });
    } catch (error) {
      return failure(c, error);
    }
  });

  app.get('/v1/sandboxes/:id/processes/:pid/output', async (c) => {
    const target = findProcess(c, deps);
    if (target instanceof Response) return target;
    let release: () => void;
    try {
      release = takeFollow(deps, c.get('tenant'));
    } catch (error) {
      return failure(c, error);
    }
    let process: AgentProcess;
    try {
      process = await deps.processes.attach(target.sandbox, target.pid, c.req.raw.signal);
    } catch (error) {
      release();
      return failure(c, error);
    }
    return new Response(releaseWhenRead(followOutput(c, process, target.pid), release), {
      headers: { 'content-type': NDJSON, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    });
  });

  app.post(
    '/v1/sandboxes/:id/processes/:pid/signal',
    zValidator('json', signalRequestSchema, validationHook),
    async (c) => {
      const target = findProcess(c, deps);
      if (target instanceof Response) return target;
      const { signal } = c.req.valid('json');
      try {
        await deps.processes.signal(target.sandbox, target.pid, signal, c.req.raw.signal);
        return c.json({ pid: target.pid, signal });
      } catch (error) {
        return failure(c, error);
      }
    },
  );

  app.post(
    '/v1/sandboxes/:id/processes/:pid/stdin',
    zValidator('query', stdinQuerySchema, validationHook),
    async (c) => {
      const target = findProcess(c, deps);
      if (target instanceof Response) return target;
      // The body limit (MAX_STDIN_BODY_BYTES) was applied before authentication.
      const data = new Uint8Array(await c.req.arrayBuffer());
      const eof = c.req.valid('query').eof === 'true';
      try {
        await deps.processes.writeStdin(target.sandbox, target.pid, data, eof, c.req.raw.signal);
        return c.json({ pid: target.pid, bytes: data.length, eof });
      } catch (error) {
        return failure(c, error);
      }
    },
  );
}

// The caller's sandbox and a valid pid, or the answer to give instead (404/410, 400).
function findProcess(
  c: Context<AppEnv>,
  deps: ProcessRouteDeps,
): { sandbox: HostSandbox; pid: number } | Response {
  const found = findSandbox(deps, c.req.param('id') ?? '', c.get('tenant'));
  if ('status' in found) return c.json(found.body, found.status);
  const pid = pidOf(c.req.param('pid') ?? '');
  if (pid === undefined) {
    return c.json(
      errorBody('INVALID_REQUEST', 'pid: must be a process id, an integer from 1 to 2147483647'),
      400,
    );
  }
  return { sandbox: found.sandbox, pid };
}

// The process's output as NDJSON lines, then one `exit` line; a client that goes away closes the attach only.
function followOutput(c: Context<AppEnv>, process: AgentProcess, pid: number): ReadableStream<Uint8Array> {
  return ndjsonStream(c.req.raw.signal, async (sink) => {
    const close = () => process.close();
    sink.signal.addEventListener('abort', close, { once: true });
    const truncated = process.truncated ?? false;
    try {
      for await (const { stream, chunk } of process.output()) {
        await sink.output(stream, chunk);
        if (sink.signal.aborted) return;
      }
      const exit = await process.wait();
      sink.flush();
      sink.send({ exit: { ...exit, truncated } });
    } catch (error) {
      sink.flush();
      const { body } = toHttpError(fromAgentError(error, `process ${pid}`));
      sink.send({ exit: { exitCode: -1, truncated, error: body.error } });
    } finally {
      sink.signal.removeEventListener('abort', close);
      process.close();
    }
  });
}

// One slot of the tenant's and the host's count of follows (log follows and process output share them).
function takeFollow(deps: ProcessRouteDeps, tenant: string): () => void {
  const { maxFollowsPerTenant, maxFollowsTotal } = deps.service.policy;
  return deps.caps.acquire([
    {
      key: `follow:tenant:${tenant}`,
      cap: maxFollowsPerTenant,
      refusal: `at most ${maxFollowsPerTenant} log follows and process outputs open at once per tenant: close one first`,
    },
    {
      key: 'follow:all',
      cap: maxFollowsTotal,
      refusal: `this host has at most ${maxFollowsTotal} log follows and process outputs open at once: try again later`,
    },
  ]);
}
