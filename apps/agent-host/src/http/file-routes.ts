import { zValidator } from '@hono/zod-validator';
import type { FileStat } from '@sbx/bootstrap';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { endingRun } from '../core/measured-use.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { fromAgentError, requireAgent } from './agent-access.js';
import { agentDownload, agentUpload } from './agent-file-transfer.js';
import { type fileEntrySchema, fileReadQuerySchema, fileWriteQuerySchema } from './file-schemas.js';
import { exactly, releasing } from './file-streams.js';
import { errorBody, validationHook } from './http-errors.js';
import type { AppEnv } from './request-guard.js';
import { accepts, failure, findSandbox, toWebStream } from './route-helpers.js';
import { TransferLimiter } from './transfer-limiter.js';

/** What the file routes need. */
export type FileRouteDeps = { service: SandboxService };

/** The media type of a tar archive. */
export const TAR = 'application/x-tar';
/** The file routes' path: their bodies are not JSON and have their own size cap. */
export const FILES_PATH = /^\/v1\/sandboxes\/[^/]+\/files$/;

/**
 * `PUT`/`GET /v1/sandboxes/:id/files?path=/abs`: a file's bytes (a tar unpacked into a directory with
 * `Content-Type: application/x-tar`), a file or a directory's tar back, or a directory listing (`list=1`).
 * Paths are taken inside the sandbox; sizes are capped by the policy's `maxFileBytes` (413 above). With the
 * in-sandbox agent a file's bytes stream both ways (never held whole) as the sandbox's user or `user`; tars stay
 * on the engine's archive API. Every transfer is measured like a command.
 */
export function fileRoutes(app: Hono<AppEnv>, deps: FileRouteDeps): void {
  const max = deps.service.policy.maxFileBytes;
  const maxEntries = deps.service.policy.maxUploadEntries;
  const transfers = new TransferLimiter({
    perTenant: deps.service.policy.maxTransfersPerTenant,
    total: deps.service.policy.maxTransfersTotal,
  });

  app.put('/v1/sandboxes/:id/files', zValidator('query', fileWriteQuerySchema, validationHook), async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    const { files, agent } = found.sandbox;
    const { path, mode, user } = c.req.valid('query');
    const tar = (c.req.header('content-type') ?? '').toLowerCase().startsWith(TAR);
    let release: () => void;
    try {
      if (user !== undefined) requireAgent(found.sandbox, 'a write as a user');
      // Before the body is read: the uploads held in memory (or streaming) at once are capped.
      release = transfers.reserve(c.get('tenant'));
    } catch (error) {
      return failure(c, error);
    }
    if (agent && !tar) {
      const octalMode = mode ? Number.parseInt(mode, 8) : undefined;
      const transfer = { sandbox: found.sandbox, agent, path, user, maxBytes: max, release, mode: octalMode };
      return agentUpload(c, deps, transfer);
    }
    if (!files) {
      release();
      return notSupported(c, found.sandbox.type);
    }
    try {
      const body = await readCapped(c, max);
      if (!body)
        return c.json(errorBody('FILE_TOO_LARGE', `the body is over ${max} bytes (server policy)`), 413);
      await deps.service.files(
        found.sandbox,
        (signal) =>
          tar
            ? files.writeTar(path, body, { signal, maxBytes: max, maxEntries })
            : files.writeFile(path, body, {
                signal,
                maxBytes: max,
                ...(mode ? { mode: Number.parseInt(mode, 8) } : {}),
              }),
        c.req.raw.signal,
      );
      return c.json({ path, bytes: body.length }, 201);
    } catch (error) {
      return failure(c, error);
    } finally {
      release();
    }
  });

  app.get('/v1/sandboxes/:id/files', zValidator('query', fileReadQuerySchema, validationHook), async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    const { files, agent } = found.sandbox;
    const { path, list, user } = c.req.valid('query');
    let release: () => void = () => {};
    let streaming = false;
    try {
      if (user !== undefined) requireAgent(found.sandbox, 'a read as a user');
      release = transfers.reserve(c.get('tenant'));
      if (agent && list !== '1' && !accepts(c, TAR)) {
        const stat = await agent.stat(path, { signal: c.req.raw.signal, ...(user ? { user } : {}) });
        if (stat.type !== 'directory') {
          streaming = true;
          const transfer = { sandbox: found.sandbox, agent, path, user, maxBytes: max, release };
          return await agentDownload(c, deps, transfer);
        }
      }
      if (agent && list === '1') {
        const listed = await agent.list(path, { signal: c.req.raw.signal, ...(user ? { user } : {}) });
        return c.json({ path, entries: listed.entries.map(toEntry), truncated: listed.truncated });
      }
      if (!files) return notSupported(c, found.sandbox.type);
      return await deps.service.files(
        found.sandbox,
        async (signal, keepOpen) => {
          if (list === '1') {
            const listed = await files.list(path, { signal, maxBytes: max });
            return c.json({ path, entries: listed.entries.map(toEntry), truncated: listed.truncated });
          }
          const stat = await files.stat(path, { signal });
          if (!stat) return c.json(errorBody('FILE_NOT_FOUND', `nothing at ${path} in this sandbox`), 404);
          if (stat.type === 'directory' || accepts(c, TAR)) {
            const tar = await files.readTar(path, { signal: c.req.raw.signal, maxBytes: max });
            streaming = true;
            const body = endingRun(releasing(tar, release), keepOpen());
            return new Response(toWebStream(body), { headers: { 'content-type': TAR } });
          }
          const read = await files.readFile(path, { signal: c.req.raw.signal, maxBytes: max });
          streaming = true;
          // The length is the stat's; the body is read later and the sandbox may change the file meanwhile.
          const body = endingRun(releasing(exactly(read.body, read.stat.size, path), release), keepOpen());
          return new Response(toWebStream(body), {
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(read.stat.size),
              'x-sbx-file-mode': octal(read.stat.mode),
            },
          });
        },
        c.req.raw.signal,
      );
    } catch (error) {
      return failure(c, fromAgentError(error, `reading ${path} in sandbox ${found.sandbox.id}`));
    } finally {
      if (!streaming) release();
    }
  });
}

/** A stat as the API's directory entry. */
export function toEntry(stat: FileStat): z.infer<typeof fileEntrySchema> {
  return {
    name: stat.name,
    type: stat.type,
    size: stat.size,
    mode: octal(stat.mode),
    mtime: new Date(stat.mtimeMs).toISOString(),
    ...(stat.linkTarget ? { linkTarget: stat.linkTarget } : {}),
  };
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function notSupported(c: Context, type: string) {
  return c.json(errorBody('NOT_SUPPORTED', `${type} sandboxes have no files API here`), 501);
}

/**
 * The request body, or undefined once it passes `max` bytes (reading stops there). With a declared length the
 * bytes go straight into one buffer of that size (no second copy).
 */
export async function readCapped(c: Context, max: number): Promise<Uint8Array | undefined> {
  const header = c.req.header('content-length');
  const declared = header !== undefined && /^\d{1,16}$/.test(header) ? Number(header) : undefined;
  if (declared !== undefined && declared > max) return undefined;
  const reader = c.req.raw.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  const whole = declared === undefined ? undefined : Buffer.allocUnsafe(declared);
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > (declared ?? max)) {
      await reader.cancel();
      return undefined;
    }
    if (whole) whole.set(value, size);
    else chunks.push(value);
    size += value.length;
  }
  return whole ? whole.subarray(0, size) : Buffer.concat(chunks);
}
