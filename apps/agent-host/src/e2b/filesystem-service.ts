import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { type FileStat, isBootstrapError } from '@sbx/bootstrap';
import { toHttpError } from '../http/http-errors.js';
import type { E2bHost } from './e2b-host.js';
import {
  type EntryInfo,
  EntryInfoSchema,
  EventType,
  type Filesystem,
  FilesystemEventSchema,
  FileType,
  type WatchDirRequest,
  type WatchDirResponseSchema,
} from './gen/filesystem/filesystem_pb.js';
import { keptAlive } from './keepalive.js';
import { absolute, callOf, type SandboxCall } from './sandbox-context.js';
import { watchByPolling } from './watch-poller.js';

/** Entries one `ListDir` answers at most (all depths together). */
export const MAX_LIST_ENTRIES = 10_000;
/** The deepest `ListDir` walks. */
export const MAX_LIST_DEPTH = 16;

/**
 * `filesystem.Filesystem` for sandboxes without the in-sandbox agent: stat and list through the engine's
 * archive API, make/move/remove as commands (`mkdir -p`, `mv`, `rm -rf`, argv only: no shell), watch by polling.
 */
export function filesystemService(host: E2bHost): Partial<ServiceImpl<typeof Filesystem>> {
  return {
    async stat(req, ctx) {
      const path = absolute(req.path);
      return { entry: await mustStat(host, callOf(ctx), path, ctx) };
    },
    async listDir(req, ctx) {
      const call = callOf(ctx);
      const root = absolute(req.path);
      const top = await mustStat(host, call, root, ctx);
      if (top.type !== FileType.DIRECTORY) {
        throw new ConnectError(`path ${root} is not a directory`, Code.InvalidArgument);
      }
      const depth = Math.min(Math.max(req.depth || 1, 1), MAX_LIST_DEPTH);
      const entries: EntryInfo[] = [];
      const walk = async (dir: string, level: number): Promise<void> => {
        const list = await guarded(() =>
          host.files(
            call.sandbox,
            (files, signal) => files.list(dir, { signal, maxEntries: MAX_LIST_ENTRIES }),
            ctx.signal,
          ),
        );
        for (const stat of list.entries) {
          if (entries.length >= MAX_LIST_ENTRIES) return;
          const entry = toEntry(join(dir, stat.name), stat);
          entries.push(entry);
          if (level < depth && entry.type === FileType.DIRECTORY) await walk(entry.path, level + 1);
        }
      };
      await walk(root, 1);
      return { entries };
    },
    async makeDir(req, ctx) {
      const call = callOf(ctx);
      const path = absolute(req.path);
      if (await statOf(host, call, path, ctx)) {
        throw new ConnectError(`path ${path} already exists`, Code.AlreadyExists);
      }
      await run(host, call, ['mkdir', '-p', '--', path], ctx);
      return { entry: await mustStat(host, call, path, ctx) };
    },
    async move(req, ctx) {
      const call = callOf(ctx);
      const source = absolute(req.source, 'source');
      const destination = absolute(req.destination, 'destination');
      await mustStat(host, call, source, ctx);
      const parent = destination.slice(0, destination.lastIndexOf('/')) || '/';
      await run(host, call, ['mkdir', '-p', '--', parent], ctx);
      await run(host, call, ['mv', '--', source, destination], ctx);
      return { entry: await mustStat(host, call, destination, ctx) };
    },
    async remove(req, ctx) {
      const call = callOf(ctx);
      const path = absolute(req.path);
      await mustStat(host, call, path, ctx);
      await run(host, call, ['rm', '-rf', '--', path], ctx);
      return {};
    },
    watchDir: (req, ctx) =>
      keptAlive(ctx, watchDir(req, ctx), () => ({ event: { case: 'keepalive' as const, value: {} } })),
  };

  async function* watchDir(
    req: WatchDirRequest,
    ctx: HandlerContext,
  ): AsyncGenerator<MessageInitShape<typeof WatchDirResponseSchema>> {
    const call = callOf(ctx);
    const path = absolute(req.path);
    const top = await mustStat(host, call, path, ctx);
    if (top.type !== FileType.DIRECTORY) {
      throw new ConnectError(`path ${path} is not a directory`, Code.InvalidArgument);
    }
    const { agent } = call.sandbox;
    if (agent) {
      const events = agent.watch(path, {
        recursive: req.recursive,
        signal: ctx.signal,
        ...(call.user ? { user: call.user } : {}),
      });
      yield { event: { case: 'start', value: {} } };
      for await (const e of events) {
        const type = WATCH_TYPES[e.type];
        if (type === undefined || !e.path) continue;
        const name = e.path.startsWith(`${path.replace(/\/$/, '')}/`)
          ? e.path.slice(path.replace(/\/$/, '').length + 1)
          : e.path;
        yield { event: { case: 'filesystem', value: create(FilesystemEventSchema, { name, type }) } };
      }
      return;
    }
    yield { event: { case: 'start', value: {} } };
    const list = (dir: string, signal: AbortSignal) =>
      host.files(
        call.sandbox,
        (files, s) => files.list(dir, { signal: s, maxEntries: MAX_LIST_ENTRIES }),
        signal,
      );
    for await (const event of watchByPolling(list, path, req.recursive, ctx.signal)) {
      yield { event: { case: 'filesystem' as const, value: event } };
    }
  }
}

const WATCH_TYPES: Record<string, EventType | undefined> = {
  create: EventType.CREATE,
  write: EventType.WRITE,
  remove: EventType.REMOVE,
  rename: EventType.RENAME,
  chmod: EventType.CHMOD,
};

/** A `FileStat` as E2B's `EntryInfo`. */
export function toEntry(path: string, stat: FileStat): EntryInfo {
  const type =
    stat.type === 'directory'
      ? FileType.DIRECTORY
      : stat.type === 'symlink'
        ? FileType.SYMLINK
        : FileType.FILE;
  return create(EntryInfoSchema, {
    name: stat.name,
    type,
    path,
    size: BigInt(Math.max(0, Math.trunc(stat.size))),
    mode: stat.mode,
    permissions: permissions(stat),
    modifiedTime: timestampFromMs(Math.trunc(stat.mtimeMs)),
    ...(stat.linkTarget === undefined ? {} : { symlinkTarget: stat.linkTarget }),
  });
}

function permissions(stat: FileStat): string {
  const kind = stat.type === 'directory' ? 'd' : stat.type === 'symlink' ? 'l' : '-';
  let bits = '';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const b = (stat.mode >> shift) & 7;
    bits += `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  }
  return kind + bits;
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

async function statOf(host: E2bHost, call: SandboxCall, path: string, ctx: HandlerContext) {
  const stat = await guarded(() =>
    host.files(call.sandbox, (files, signal) => files.stat(path, { signal }), ctx.signal),
  );
  return stat && toEntry(path, stat);
}

async function mustStat(host: E2bHost, call: SandboxCall, path: string, ctx: HandlerContext) {
  const entry = await statOf(host, call, path, ctx);
  if (!entry) throw new ConnectError(`path ${path} does not exist`, Code.NotFound);
  return entry;
}

async function run(host: E2bHost, call: SandboxCall, argv: string[], ctx: HandlerContext): Promise<void> {
  const result = await guarded(() =>
    host.exec(call.sandbox, { argv, timeoutMs: 60_000, signal: ctx.signal, onOutput: () => {} }),
  );
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n')[0]?.slice(0, 500) || `exit code ${result.exitCode}`;
    throw new ConnectError(
      `${argv[0]}: ${why}`,
      /ermission denied/.test(why) ? Code.PermissionDenied : Code.Internal,
    );
  }
}

// A host error as a Connect error with the code the SDK turns into its own class.
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConnectError) throw error;
    if (isBootstrapError(error, 'FILE_NOT_FOUND')) throw new ConnectError(error.message, Code.NotFound);
    if (isBootstrapError(error, 'SANDBOX_GONE')) throw new ConnectError(error.message, Code.Unavailable);
    const { status, body } = toHttpError(error);
    const code =
      status === 400 ? Code.InvalidArgument : status === 429 ? Code.ResourceExhausted : Code.Internal;
    throw new ConnectError(`${body.error.code}: ${body.error.message}`, code);
  }
}
