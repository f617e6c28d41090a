import type { Context } from 'hono';
import type { FilesAgent } from '../core/files-agent.js';
import type { HostSandbox } from '../core/host-adapter.js';
import { endingRun } from '../core/measured-use.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { fromAgentError } from './agent-access.js';
import { exactly, releasing } from './file-streams.js';
import type { AppEnv } from './request-guard.js';
import { failure, toWebStream } from './route-helpers.js';

/** One streamed file transfer through the agent: where, as whom, within what. */
export interface AgentTransfer {
  sandbox: HostSandbox;
  agent: FilesAgent;
  path: string;
  user?: string | undefined;
  maxBytes: number;
  /** Frees the transfer's slot; called once, when the transfer is over (a download: when it was read). */
  release: () => void;
}

/**
 * `PUT .../files` through the agent: the request body goes into the agent's write frames as it arrives (never
 * held whole); past `maxBytes` the write is cut and the file left as it was (413 `FILE_TOO_LARGE`).
 */
export async function agentUpload(
  c: Context<AppEnv>,
  deps: { service: SandboxService },
  t: AgentTransfer & { mode?: number | undefined },
): Promise<Response> {
  try {
    const body = (c.req.raw.body ?? []) as unknown as AsyncIterable<Uint8Array>;
    const bytes = await deps.service.files(
      t.sandbox,
      (signal) =>
        t.agent.writeFile(t.path, body, {
          signal,
          maxBytes: t.maxBytes,
          ...(t.mode === undefined ? {} : { mode: t.mode }),
          ...(t.user === undefined ? {} : { user: t.user }),
        }),
      c.req.raw.signal,
    );
    return c.json({ path: t.path, bytes }, 201);
  } catch (error) {
    return failure(c, fromAgentError(error, `writing ${t.path} in sandbox ${t.sandbox.id}`));
  } finally {
    t.release();
  }
}

/**
 * `GET .../files` of a file through the agent: the agent's data frames go to the client as it reads them, with
 * exactly the size the agent stated; the run is measured until the last byte was read.
 */
export async function agentDownload(
  c: Context<AppEnv>,
  deps: { service: SandboxService },
  t: AgentTransfer,
): Promise<Response> {
  let streaming = false;
  try {
    return await deps.service.files(
      t.sandbox,
      async (_signal, keepOpen) => {
        const read = await t.agent.readFile(t.path, {
          signal: c.req.raw.signal,
          maxBytes: t.maxBytes,
          ...(t.user === undefined ? {} : { user: t.user }),
        });
        const body = endingRun(releasing(exactly(read.body, read.size, t.path), t.release), keepOpen());
        streaming = true;
        return new Response(toWebStream(body), {
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(read.size),
            'x-sbx-file-mode': read.mode.toString(8).padStart(4, '0'),
          },
        });
      },
      c.req.raw.signal,
    );
  } catch (error) {
    return failure(c, fromAgentError(error, `reading ${t.path} in sandbox ${t.sandbox.id}`));
  } finally {
    if (!streaming) t.release();
  }
}
