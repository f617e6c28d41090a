import { zValidator } from '@hono/zod-validator';
import type { SandboxPerfRecord } from '@sbx/timing';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { agentUnavailable, fromAgentError } from '../core/agent-errors.js';
import type { HostSandbox } from '../core/host-adapter.js';
import type { JobOptions } from '../core/sandbox-host.js';
import { overCap } from '../core/sandbox-policy.js';
import type { SandboxProcesses } from '../core/sandbox-processes.js';
import type { SandboxService } from '../service/sandbox-service.js';
import type { execResultSchema, exitEventSchema } from './api-schemas.js';
import type { ConcurrencyCaps } from './concurrency-caps.js';
import { errorBody, toHttpError, validationHook } from './http-errors.js';
import { chunkedBody, ndjsonStream, releaseWhenRead } from './output-encoder.js';
import type { AppEnv } from './request-guard.js';
import { accepts, failure, findSandbox } from './route-helpers.js';
import { execRequestSchema } from './schemas.js';

/** What the exec route needs: the service (and its policy), the counts of commands at once, the processes. */
export type ExecRouteDeps = { service: SandboxService } & {
  caps: ConcurrencyCaps;
  processes: SandboxProcesses;
};

/** The media type of a streamed exec or log: one JSON object a line. */
export const NDJSON = 'application/x-ndjson';

/**
 * `POST /v1/sandboxes/:id/exec`: runs a command, buffered (JSON) or, with `Accept: application/x-ndjson`,
 * streamed as its output arrives. Several commands may run in one sandbox at once, each measured by the perf
 * monitor; a client that disconnects aborts its command; the policy's output cap applies to both forms. A
 * command holds a slot of its sandbox's and its tenant's caps (429 above) until its answer was read or the
 * client went away; a streamed answer nobody reads pauses the command's output instead of filling memory.
 */
export function execRoutes(app: Hono<AppEnv>, deps: ExecRouteDeps): void {
  app.post('/v1/sandboxes/:id/exec', zValidator('json', execRequestSchema, validationHook), async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    const { cmd, timeoutMs, stdin, cwd, env, user, background } = c.req.valid('json');
    if (timeoutMs !== undefined && timeoutMs > deps.service.policy.maxExecTimeoutMs) {
      return failure(
        c,
        overCap('timeoutMs', `must be at most ${deps.service.policy.maxExecTimeoutMs}, got ${timeoutMs}`),
      );
    }
    const { sandbox } = found;
    if ((user !== undefined || background) && !sandbox.agent) {
      return failure(c, agentUnavailable(sandbox.id, background ? '"background"' : '"user"'));
    }
    const options: JobOptions = {
      timeoutMs: timeoutMs ?? deps.service.policy.maxExecTimeoutMs,
      maxOutputBytes: deps.service.policy.maxExecOutputBytes,
      ...(stdin === undefined ? {} : { stdin }),
      ...(cwd === undefined ? {} : { workingDir: cwd }),
      ...(env === undefined ? {} : { env }),
      ...(user === undefined ? {} : { run: asUser(sandbox, user) }),
    };
    if (accepts(c, NDJSON) && deps.service.closing) {
      return c.json(errorBody('HOST_CLOSING', 'the host is shutting down'), 503);
    }
    let release: () => void;
    try {
      release = takeSlot(deps, c.get('tenant'), found.sandbox.id);
    } catch (error) {
      return failure(c, error);
    }
    if (background) {
      try {
        const started = { ...(cwd ? { cwd } : {}), ...(env ? { env } : {}), ...(user ? { user } : {}) };
        const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : cmd;
        const run = { ...started, stdin: true, ...(timeoutMs ? { timeoutMs } : {}) };
        const { pid } = await deps.processes.start(sandbox, argv, run, c.req.raw.signal);
        if (stdin !== undefined) {
          await deps.processes.writeStdin(sandbox, pid, encoder.encode(stdin), true, c.req.raw.signal);
        }
        return c.json({ pid }, 202);
      } catch (error) {
        return failure(c, error);
      } finally {
        release();
      }
    }
    if (accepts(c, NDJSON)) return streamExec(c, deps, sandbox, cmd, options, release);
    try {
      // A client that goes away aborts its command.
      const { exec, record } = await deps.service.exec(sandbox, cmd, {
        ...options,
        signal: c.req.raw.signal,
      });
      const body: z.infer<typeof execResultSchema> = {
        ...exec,
        stdoutTruncated: exec.stdoutTruncated ?? false,
        stderrTruncated: exec.stderrTruncated ?? false,
        durationMs: record.durationMs,
        outcome: record.outcome,
        alertFired: record.alertFired,
      };
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      return new Response(releaseWhenRead(chunkedBody(bytes), release), {
        headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) },
      });
    } catch (error) {
      release();
      return failure(c, user === undefined ? error : fromAgentError(error, `running as ${user}`));
    }
  });
}

const encoder = new TextEncoder();

// Runs the command through the sandbox's agent as `user` (the agent switches to it).
function asUser(sandbox: HostSandbox, user: string): JobOptions['run'] {
  const agent = sandbox.agent;
  if (!agent) throw agentUnavailable(sandbox.id, '"user"');
  return (cmd, options) => agent.run(cmd, { ...options, user });
}

/** One slot of the sandbox's and of the tenant's count of commands at once, or TOO_MANY_CONCURRENT. */
export function takeSlot(deps: ExecRouteDeps, tenant: string, sandboxId: string): () => void {
  const { maxExecsPerSandbox, maxExecsPerTenant } = deps.service.policy;
  return deps.caps.acquire([
    {
      key: `exec:sandbox:${sandboxId}`,
      cap: maxExecsPerSandbox,
      refusal: `at most ${maxExecsPerSandbox} commands run at once in one sandbox (answers not yet read count): read or cancel one first`,
    },
    {
      key: `exec:tenant:${tenant}`,
      cap: maxExecsPerTenant,
      refusal: `at most ${maxExecsPerTenant} commands run at once per tenant (answers not yet read count): read or cancel one first`,
    },
  ]);
}

// The output as NDJSON lines while the command runs, then one `exit` line; a cancelled response aborts it.
function streamExec(
  c: Context<AppEnv>,
  deps: ExecRouteDeps,
  sandbox: HostSandbox,
  cmd: string | string[],
  options: JobOptions,
  release: () => void,
): Response {
  const body = ndjsonStream(c.req.raw.signal, async (sink) => {
    let record: SandboxPerfRecord | undefined;
    let truncated = false;
    const exit = (exitCode: number, error?: unknown): z.infer<typeof exitEventSchema> => ({
      exit: {
        exitCode,
        durationMs: record?.durationMs ?? 0,
        outcome: record?.outcome ?? 'error',
        truncated,
        ...(error === undefined ? {} : { error: toHttpError(error).body.error }),
      },
    });
    try {
      const { exec } = await deps.service.exec(sandbox, cmd, {
        ...options,
        signal: sink.signal,
        onRecord: (r) => {
          record = r;
        },
        onOutput: sink.output,
      });
      truncated = (exec.stdoutTruncated ?? false) || (exec.stderrTruncated ?? false);
      sink.flush();
      sink.send(exit(exec.exitCode));
    } catch (error) {
      sink.flush();
      sink.send(exit(-1, record?.outcome === 'timeout' ? undefined : error));
    }
  });
  return new Response(releaseWhenRead(body, release), {
    status: 200,
    headers: { 'content-type': NDJSON, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  });
}
