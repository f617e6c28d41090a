import { isBootstrapError } from '@sbx/bootstrap';
import type { Context, Hono } from 'hono';
import { readCapped } from '../http/file-routes.js';
import { exactly, releasing } from '../http/file-streams.js';
import { toHttpError } from '../http/http-errors.js';
import { toWebStream } from '../http/route-helpers.js';
import { TransferLimiter } from '../http/transfer-limiter.js';
import { e2bError } from './e2b-errors.js';
import type { E2bHost } from './e2b-host.js';
import type { SandboxCall } from './sandbox-context.js';

type Env = { Variables: { call: SandboxCall } };

/** Multipart overhead allowed on top of the policy's `maxFileBytes` (part headers, boundaries). */
const MULTIPART_SLACK_BYTES = 64 * 1024;

/**
 * E2B's `GET /files?path=` (the file's raw bytes) and `POST /files[?path=]` (multipart, one `file` part per
 * file named by its full path, or `application/octet-stream` with `path`): within the policy's `maxFileBytes`
 * and `maxUploadEntries`, and the transfers held at once per tenant and host.
 */
export function fileTransfer(app: Hono<Env>, host: E2bHost): void {
  const max = host.policy.maxFileBytes;
  const transfers = new TransferLimiter({
    perTenant: host.policy.maxTransfersPerTenant,
    total: host.policy.maxTransfersTotal,
  });

  app.get('/files', async (c) => {
    const path = c.req.query('path') ?? '';
    if (!path.startsWith('/')) return e2bError(c, 400, 'path: must be an absolute path inside the sandbox');
    const { sandbox, record } = c.get('call');
    let release: () => void = () => {};
    let streaming = false;
    try {
      release = transfers.reserve(record.tenant);
      return await host.files(
        sandbox,
        async (files, signal) => {
          const stat = await files.stat(path, { signal });
          if (!stat) return e2bError(c, 404, `path ${path} does not exist`);
          if (stat.type === 'directory') return e2bError(c, 400, `path ${path} is a directory`);
          const read = await files.readFile(path, { signal: c.req.raw.signal, maxBytes: max });
          streaming = true;
          const body = exactly(read.body, read.stat.size, path);
          return new Response(toWebStream(releasing(body, release)), {
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(read.stat.size) },
          });
        },
        c.req.raw.signal,
      );
    } catch (error) {
      return failed(c, error);
    } finally {
      if (!streaming) release();
    }
  });

  app.post('/files', async (c) => {
    const { record } = c.get('call');
    const query = c.req.query('path');
    if (query !== undefined && !query.startsWith('/')) {
      return e2bError(c, 400, 'path: must be an absolute path inside the sandbox');
    }
    let release: () => void;
    try {
      release = transfers.reserve(record.tenant);
    } catch (error) {
      return failed(c, error);
    }
    try {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      const body = await readCapped(c, max + MULTIPART_SLACK_BYTES);
      if (!body) return e2bError(c, 413, `the body is over ${max} bytes (server policy)`);
      const uploads = type.startsWith('multipart/form-data')
        ? await parts(body, c.req.header('content-type') ?? '', query)
        : query
          ? [{ path: query, data: body }]
          : undefined;
      if (!uploads) {
        return e2bError(
          c,
          400,
          'path: send ?path=/abs with a raw body, or multipart parts named by absolute paths',
        );
      }
      if (uploads.length > host.policy.maxUploadEntries) {
        return e2bError(c, 400, `at most ${host.policy.maxUploadEntries} files in one upload`);
      }
      const entries = [];
      for (const upload of uploads) {
        if (upload.data.length > max)
          return e2bError(c, 413, `${upload.path}: over ${max} bytes (server policy)`);
        await writeFile(host, c.get('call'), upload, c.req.raw.signal);
        entries.push({
          name: upload.path.slice(upload.path.lastIndexOf('/') + 1),
          type: 'file',
          path: upload.path,
        });
      }
      return c.json(entries);
    } catch (error) {
      return failed(c, error);
    } finally {
      release();
    }
  });
}

type Upload = { path: string; data: Uint8Array };

// Written by a command inside the sandbox, as its user (the engine's archive API cannot resolve a named user
// on a read-only root filesystem): parents made, the bytes on stdin, argv only (no shell sees the path).
async function writeFile(
  host: E2bHost,
  call: SandboxCall,
  upload: Upload,
  signal: AbortSignal,
): Promise<void> {
  const result = await host.exec(call.sandbox, {
    argv: ['sh', '-c', 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"', 'sh', upload.path],
    stdin: upload.data,
    timeoutMs: 60_000,
    signal,
    onOutput: () => {},
  });
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n')[0]?.slice(0, 500) || `exit code ${result.exitCode}`;
    throw new WriteError(/ermission denied|Read-only/.test(why) ? 403 : 500, `${upload.path}: ${why}`);
  }
}

class WriteError extends Error {
  constructor(
    readonly status: 403 | 500,
    message: string,
  ) {
    super(message);
  }
}

// The `file` parts of a multipart body: each one's path is `query` (one file) or its own file name (a full path).
async function parts(
  body: Uint8Array,
  contentType: string,
  query: string | undefined,
): Promise<Upload[] | undefined> {
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    return [];
  }
  const uploads: Upload[] = [];
  for (const value of form.getAll('file')) {
    if (typeof value === 'string') continue;
    const path = query ?? value.name;
    if (!path.startsWith('/')) return undefined;
    uploads.push({ path, data: new Uint8Array(await value.arrayBuffer()) });
  }
  return uploads;
}

function failed(c: Context, error: unknown): Response {
  if (error instanceof WriteError) return e2bError(c, error.status, error.message);
  if (isBootstrapError(error, 'FILE_NOT_FOUND')) return e2bError(c, 404, error.message);
  if (isBootstrapError(error, 'SANDBOX_GONE')) return e2bError(c, 502, error.message);
  const { status, body } = toHttpError(error);
  return e2bError(c, status, `${body.error.code}: ${body.error.message}`);
}
