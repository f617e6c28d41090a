import { connect } from 'node:net';
import { FRAME, MAX_DATA_CHUNK_BYTES } from '../frame-codec.js';
import type { FakeAgentIo, FakeAgentState } from './fake-agent-server.js';
import { FakeAgentFailure } from './fake-file-system.js';

type Op = (io: FakeAgentIo, state: FakeAgentState) => Promise<void>;

function path(io: FakeAgentIo, key = 'path'): string {
  const value = io.request[key];
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new FakeAgentFailure('BAD_REQUEST', `${key} must be an absolute path`);
  }
  return value;
}

/** The file, watch and port operations of the fake agent. */
export const fileOps: Record<string, Op> = {
  stat: (io, { files }) => io.finish(FRAME.end, files.stat(path(io))),
  list: (io, { files }) => {
    const depth = typeof io.request.depth === 'number' ? io.request.depth : 1;
    const max = typeof io.request.maxEntries === 'number' ? io.request.maxEntries : 10_000;
    // Like the agent's, a listing may fill its frame (up to 900 KiB), past the 64 KiB of other JSON answers.
    const listing = Buffer.from(JSON.stringify(files.list(path(io), depth, max)));
    return io.send(FRAME.end, listing).then(() => io.finish());
  },
  mkdir: (io, { files }) => {
    const mode = typeof io.request.mode === 'number' ? io.request.mode : undefined;
    return io.finish(FRAME.end, { created: files.mkdir(path(io), mode) });
  },
  move: async (io, { files }) => {
    files.move(path(io, 'from'), path(io, 'to'));
    await io.finish(FRAME.end, {});
  },
  remove: async (io, { files }) => {
    if (path(io) === '/') throw new FakeAgentFailure('BAD_REQUEST', 'will not remove /');
    files.remove(path(io));
    await io.finish(FRAME.end, {});
  },
  read: async (io, { files }) => {
    const node = files.get(path(io));
    if (node.type === 'directory')
      throw new FakeAgentFailure('IS_A_DIRECTORY', `${path(io)}: is a directory`);
    await io.send(FRAME.ok, { size: node.data.byteLength, mode: node.mode });
    for (let at = 0; at < node.data.byteLength; at += MAX_DATA_CHUNK_BYTES) {
      await io.send(FRAME.data, node.data.subarray(at, at + MAX_DATA_CHUNK_BYTES));
    }
    await io.finish(FRAME.end, {});
  },
  write: async (io, { files }) => {
    const target = path(io);
    await io.send(FRAME.ok, {});
    const chunks: Uint8Array[] = [];
    for (;;) {
      const next = await io.frames.next();
      if (next.done) return; // closed before `end`: the file is untouched
      if (next.value.kind === FRAME.data) chunks.push(next.value.payload);
      else if (next.value.kind === FRAME.end) break;
      else throw new FakeAgentFailure('BAD_REQUEST', `frame kind ${next.value.kind} in a write`);
    }
    const mode = typeof io.request.mode === 'number' ? io.request.mode : undefined;
    const size = files.write(target, Buffer.concat(chunks), mode, io.request.append === true);
    await io.finish(FRAME.end, { size });
  },
  watch: async (io, { files }) => {
    files.get(path(io));
    // Watching before `ok`, as inotify does: a change made after `ok` is always seen.
    const stop = files.watch(path(io), io.request.recursive === true, (change) => {
      io.send(FRAME.event, change).catch(() => {});
    });
    await io.send(FRAME.ok, {});
    await io.closed;
    stop();
  },
  port: async (io) => {
    const port = io.request.port;
    if (!(typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw new FakeAgentFailure('BAD_REQUEST', 'port must be 1..65535');
    }
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', () =>
        reject(new FakeAgentFailure('CONNECTION_REFUSED', `nothing listens on ${port}`)),
      );
    });
    socket.on('error', () => io.close());
    await io.send(FRAME.ok, {});
    socket.on('data', (chunk: Buffer) => {
      socket.pause();
      io.send(FRAME.data, chunk).then(
        () => socket.resume(),
        () => socket.destroy(),
      );
    });
    socket.on('end', () => void io.send(FRAME.end, {}).catch(() => {}));
    io.closed.then(() => socket.destroy());
    for (;;) {
      const next = await io.frames.next().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) return void socket.destroy();
      if (next.value.kind === FRAME.data) socket.write(next.value.payload);
      else if (next.value.kind === FRAME.end) socket.end();
    }
  },
};
