import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { E2bHost } from './e2b-host.js';
import { MAX_LIST_ENTRIES, mustStat } from './file-calls.js';
import {
  EventType,
  FilesystemEventSchema,
  FileType,
  type WatchDirRequest,
  type WatchDirResponseSchema,
} from './gen/filesystem/filesystem_pb.js';
import { absolute, callOf } from './sandbox-context.js';
import { watchByPolling } from './watch-poller.js';

/**
 * `WatchDir`: the agent's inotify events when it serves the sandbox, else a listing polled and compared
 * (watch-poller.ts); the keepalive events are the caller's (keepalive.ts).
 */
export async function* watchDir(
  host: E2bHost,
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

const WATCH_TYPES: Record<string, EventType | undefined> = {
  create: EventType.CREATE,
  write: EventType.WRITE,
  remove: EventType.REMOVE,
  rename: EventType.RENAME,
  chmod: EventType.CHMOD,
};
