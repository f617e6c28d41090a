import { createConnection, type Socket } from 'node:net';
import { bounded } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import { type AgentFrame, encodeFrame, FrameDecoder, type FrameKind } from './frame-codec.js';

/** One connection to an agent: frames out and frames in (one operation per connection). */
export interface AgentConnection {
  /** Sends one frame; resolves once the transport took it (it waits while the agent reads slower). */
  send(kind: FrameKind, payload?: Uint8Array | object): Promise<void>;
  /**
   * The agent's frames in order, for one reader; reading pauses while the reader is behind, so at most one frame
   * is held. Ends when the agent closes; throws `AGENT_PROTOCOL` on a frame over 1 MiB or of an unknown kind.
   */
  frames(): AsyncIterator<AgentFrame>;
  /** Closes both directions now; idempotent. */
  close(): void;
}

/** How the host reaches a sandbox's agent: a unix socket today, a pod address with a secret on a cluster. */
export interface AgentTransport {
  /** Opens a connection; rejects with `AGENT_UNAVAILABLE` (or the signal's reason) when it cannot. */
  connect(signal?: AbortSignal): Promise<AgentConnection>;
}

/** Options of a `UnixSocketTransport`. */
export interface UnixSocketTransportOptions {
  /** Gives up a connect after this many milliseconds; default 2,000. */
  connectTimeoutMs?: number;
}

/** Reaches an agent through the unix socket at `path` (the sandbox's own host directory). */
export class UnixSocketTransport implements AgentTransport {
  /** The socket's path on the host. */
  readonly path: string;
  readonly #connectTimeoutMs: number;

  constructor(path: string, options: UnixSocketTransportOptions = {}) {
    this.path = path;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  }

  /** Connects to the socket. */
  async connect(signal?: AbortSignal): Promise<AgentConnection> {
    if (signal?.aborted) throw signal.reason;
    const socket = createConnection({ path: this.path });
    socket.on('error', () => {});
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    try {
      await bounded(connected, {
        ms: this.#connectTimeoutMs,
        signal,
        onTimeout: () => unavailable(`no connection within ${this.#connectTimeoutMs} ms`),
      });
    } catch (error) {
      socket.destroy();
      if (signal?.aborted || error instanceof BootstrapError) throw error;
      throw unavailable(`cannot connect (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
    }
    return new SocketConnection(socket);
  }
}

/** `AGENT_UNAVAILABLE`: the agent did not answer as it should. */
export function unavailable(why: string, cause?: unknown): BootstrapError {
  return new BootstrapError('AGENT_UNAVAILABLE', `the sandbox's agent is unavailable: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
  });
}

/** An `AgentConnection` over a connected stream socket (unix or TCP). */
export class SocketConnection implements AgentConnection {
  readonly #socket: Socket;
  #reading = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay?.(true);
  }

  /** Sends one frame, waiting for the socket to drain when its buffer is full. */
  async send(kind: FrameKind, payload?: Uint8Array | object): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) throw unavailable('the connection is closed');
    if (socket.write(encodeFrame(kind, payload))) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(unavailable('the connection closed while sending'));
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }

  /** The frames from the agent (one reader only). */
  frames(): AsyncIterator<AgentFrame> {
    if (this.#reading) throw new Error('an agent connection has one reader');
    this.#reading = true;
    return readFrames(this.#socket);
  }

  /** Destroys the socket. */
  close(): void {
    this.#socket.destroy();
  }
}

async function* readFrames(socket: Socket): AsyncGenerator<AgentFrame> {
  const decoder = new FrameDecoder();
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      for (const frame of decoder.push(chunk)) yield frame;
    }
  } catch (error) {
    if (error instanceof BootstrapError) throw error;
    // A connection reset or closed under us: the frames simply end (the caller sees no `end`).
    return;
  } finally {
    socket.destroy();
  }
}
