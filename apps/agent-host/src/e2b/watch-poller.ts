import { create } from '@bufbuild/protobuf';
import type { FileList } from '@sbx/bootstrap';
import { EventType, type FilesystemEvent, FilesystemEventSchema } from './gen/filesystem/filesystem_pb.js';

/** How often a watched directory is listed again when the sandbox has no agent to watch it. */
export const WATCH_POLL_MS = 250;
/** Entries a polled watch compares at most (all directories together); more are not watched. */
export const WATCH_MAX_ENTRIES = 2_000;

type Snapshot = Map<string, { dir: boolean; size: number; mtimeMs: number; mode: number }>;

/**
 * Watch events (create, write, remove, chmod) by listing `root` (and, `recursive`, its subdirectories) every
 * `WATCH_POLL_MS` and comparing: for sandboxes without the in-sandbox agent. Names are relative to `root`.
 * Ends when `signal` aborts; a listing that fails ends it too.
 */
export async function* watchByPolling(
  list: (dir: string, signal: AbortSignal) => Promise<FileList>,
  root: string,
  recursive: boolean,
  signal: AbortSignal,
): AsyncGenerator<FilesystemEvent> {
  let before = await snapshot(list, root, recursive, signal);
  while (!signal.aborted) {
    await sleep(WATCH_POLL_MS, signal);
    if (signal.aborted) return;
    const after = await snapshot(list, root, recursive, signal);
    for (const [name, now] of after) {
      const was = before.get(name);
      if (!was) yield event(name, EventType.CREATE);
      else if (!now.dir && (was.size !== now.size || was.mtimeMs !== now.mtimeMs))
        yield event(name, EventType.WRITE);
      else if (was.mode !== now.mode) yield event(name, EventType.CHMOD);
    }
    for (const name of before.keys()) if (!after.has(name)) yield event(name, EventType.REMOVE);
    before = after;
  }
}

function event(name: string, type: EventType): FilesystemEvent {
  return create(FilesystemEventSchema, { name, type });
}

async function snapshot(
  list: (dir: string, signal: AbortSignal) => Promise<FileList>,
  root: string,
  recursive: boolean,
  signal: AbortSignal,
): Promise<Snapshot> {
  const seen: Snapshot = new Map();
  const dirs = [''];
  while (dirs.length > 0 && seen.size < WATCH_MAX_ENTRIES) {
    const rel = dirs.shift() ?? '';
    const listed = await list(rel ? `${root.replace(/\/$/, '')}/${rel}` : root, signal);
    for (const entry of listed.entries) {
      if (seen.size >= WATCH_MAX_ENTRIES) break;
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const dir = entry.type === 'directory';
      seen.set(name, { dir, size: entry.size, mtimeMs: entry.mtimeMs, mode: entry.mode });
      if (dir && recursive) dirs.push(name);
    }
  }
  return seen;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
