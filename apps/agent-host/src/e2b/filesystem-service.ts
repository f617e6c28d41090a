import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { E2bHost } from './e2b-host.js';
import { guarded, MAX_LIST_ENTRIES, mustStat, run, statOf } from './file-calls.js';
import { join, toEntry } from './file-entries.js';
import { type EntryInfo, type Filesystem, FileType } from './gen/filesystem/filesystem_pb.js';
import { keptAlive } from './keepalive.js';
import { absolute, callOf } from './sandbox-context.js';
import { watchDir } from './watch-dir.js';

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
      keptAlive(ctx, watchDir(host, req, ctx), () => ({ event: { case: 'keepalive' as const, value: {} } })),
  };
}
