import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { SocketConnection } from '../agent-transport.js';
import { type AgentFrame, FRAME, type FrameKind, jsonPayload } from '../frame-codec.js';
import { DEFAULT_FAKE_COMMANDS, type FakeCommand } from './fake-commands.js';
import { fileOps } from './fake-file-ops.js';
import { FakeAgentFailure, FakeFileSystem } from './fake-file-system.js';
import type { FakeProcess } from './fake-process.js';
import { processOps } from './fake-process-ops.js';

/** One connection as a fake op sees it: frames in, frames out, and a graceful end. */
export interface FakeAgentIo {
  request: Record<string, unknown>;
  /** The host's frames after `open`. */
  frames: AsyncIterator<AgentFrame>;
  send(kind: FrameKind, payload?: Uint8Array | object): Promise<void>;
  /** Writes raw bytes (a test's lying agent). */
  raw(bytes: Uint8Array): void;
  /** Sends the final frame (when given) and ends the connection once it is written. */
  finish(kind?: FrameKind, payload?: object): Promise<void>;
  /** Drops the connection. */
  close(): void;
  /** Resolves when the host closed the connection. */
  closed: Promise<void>;
}

/** Options of a `FakeAgentServer`. */
export interface FakeAgentServerOptions {
  /** Commands by name (`cmd[0]`'s base name), over `DEFAULT_FAKE_COMMANDS`. */
  commands?: Record<string, FakeCommand>;
  /** Its filesystem; default an empty one. */
  files?: FakeFileSystem;
  /** The uid `hello` reports; default 0. */
  uid?: number;
  /** Sees each connection first (a lying or silent agent in a test): return true when it handled it. */
  intercept?: (io: FakeAgentIo) => boolean | Promise<boolean>;
}

/** What a fake op handler gets. */
export interface FakeAgentState {
  commands: Record<string, FakeCommand>;
  files: FakeFileSystem;
  processes: Map<number, FakeProcess>;
  nextPid: () => number;
}

/**
 * A fake `sbx-agent` for unit tests: a unix socket server that speaks protocol v1 with the same frames, bounds,
 * errors and ops as the real one, over an in-memory filesystem and a few fake commands (`DEFAULT_FAKE_COMMANDS`).
 */
export class FakeAgentServer {
  /** The socket path. */
  readonly path: string;
  readonly files: FakeFileSystem;
  readonly processes = new Map<number, FakeProcess>();
  /** Connections open now (a test checks that the host closed what it opened). */
  openConnections = 0;
  /** `open` requests received, in order. */
  readonly requests: Record<string, unknown>[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #state: FakeAgentState;
  readonly #intercept: FakeAgentServerOptions['intercept'];

  private constructor(path: string, server: Server, options: FakeAgentServerOptions) {
    this.path = path;
    this.#server = server;
    this.files = options.files ?? new FakeFileSystem();
    let pid = 100;
    this.#state = {
      commands: { ...DEFAULT_FAKE_COMMANDS, ...options.commands },
      files: this.files,
      processes: this.processes,
      nextPid: () => ++pid,
    };
    this.#intercept = options.intercept;
    this.#uid = options.uid ?? 0;
  }

  readonly #uid: number;

  /** Listens on `path` (an old socket there is removed first, as the agent does). */
  static async listen(path: string, options: FakeAgentServerOptions = {}): Promise<FakeAgentServer> {
    rmSync(path, { force: true });
    const server = createServer();
    const fake = new FakeAgentServer(path, server, options);
    server.on('connection', (socket) => fake.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    return fake;
  }

  /** Stops listening, drops every connection, kills every process. */
  async close(): Promise<void> {
    for (const process of this.processes.values()) process.kill('SIGKILL');
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    this.openConnections += 1;
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.openConnections -= 1;
    });
    void this.#serve(socket).catch(() => socket.destroy());
  }

  async #serve(socket: Socket): Promise<void> {
    const connection = new SocketConnection(socket);
    const frames = connection.frames();
    const first = await frames.next();
    if (first.done) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const io: FakeAgentIo = {
      request: {},
      frames,
      send: (kind, payload) => connection.send(kind, payload),
      raw: (bytes) => socket.write(bytes),
      finish: async (kind, payload) => {
        if (kind !== undefined) await connection.send(kind, payload);
        socket.end();
      },
      close: () => socket.destroy(),
      closed,
    };
    try {
      if (first.value.kind !== FRAME.open)
        throw new FakeAgentFailure('BAD_REQUEST', 'the first frame must be open');
      io.request = jsonPayload(first.value);
      this.requests.push(io.request);
      if (this.#intercept && (await this.#intercept(io))) return;
      if (io.request.v !== 1)
        throw new FakeAgentFailure('UNSUPPORTED_VERSION', `version ${String(io.request.v)}`);
      const op = String(io.request.op);
      if (op === 'hello') {
        return await io.finish(FRAME.end, {
          v: 1,
          agent: 'sbx-agent/0.1.0',
          ops: OPS,
          pid: 1,
          uid: this.#uid,
        });
      }
      const handler = processOps[op] ?? fileOps[op];
      if (!handler) throw new FakeAgentFailure('UNKNOWN_OP', `unknown op ${op}`);
      await handler(io, this.#state);
    } catch (error) {
      const code = error instanceof FakeAgentFailure ? error.code : 'INTERNAL';
      await io
        .finish(FRAME.error, { code, message: (error as Error).message.slice(0, 1024) })
        .catch(() => {});
    }
  }
}

const OPS = [
  'hello',
  'run',
  'attach',
  'ps',
  'signal',
  'stdin',
  'resize',
  'stat',
  'list',
  'mkdir',
  'move',
  'remove',
  'read',
  'write',
  'watch',
  'port',
];
