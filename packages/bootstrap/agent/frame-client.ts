// A minimal client of the agent's wire protocol (PROTOCOL.md) for this folder's integration test: frames in
// and out of one unix-socket connection, nothing more. The host's real client lives in src/agent/.
import { createConnection, type Socket } from 'node:net';

/** One frame: kind and payload. */
export interface Frame {
  kind: number;
  payload: Buffer;
}

/** The frame kinds of protocol v1. */
export const Kind = { open: 1, ok: 2, stdout: 3, stderr: 4, data: 7, end: 10, error: 11 } as const;

/** One connection to the agent, read frame by frame. */
export class FrameConnection {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private ended: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended ??= new Error('the agent closed the connection');
      this.wake();
    });
    socket.on('error', (error) => {
      this.ended = error;
      this.wake();
    });
  }

  /** Connects to the agent's socket. */
  static connect(path: string): Promise<FrameConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => resolve(new FrameConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one frame; a JSON value is encoded. */
  send(kind: number, payload: unknown): void {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
    const header = Buffer.alloc(5);
    header.writeUInt8(kind, 0);
    header.writeUInt32BE(body.length, 1);
    this.socket.write(Buffer.concat([header, body]));
  }

  /** The next frame (rejects when the connection ends first, or a payload is over 1 MiB). */
  async next(): Promise<Frame> {
    for (;;) {
      if (this.buffered.length >= 5) {
        const length = this.buffered.readUInt32BE(1);
        if (length > 1 << 20) throw new Error(`a frame of ${length} bytes`);
        if (this.buffered.length >= 5 + length) {
          const frame = { kind: this.buffered[0] ?? 0, payload: this.buffered.subarray(5, 5 + length) };
          this.buffered = this.buffered.subarray(5 + length);
          return frame;
        }
      }
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** The result of one `run`: its output and its `end`. */
export interface RunResult {
  stdout: string;
  stderr: string;
  end: Record<string, unknown>;
}

/** Runs one operation on a new connection and collects stdout/stderr until `end` (an `error` rejects). */
export async function call(socketPath: string, open: Record<string, unknown>): Promise<RunResult> {
  const conn = await FrameConnection.connect(socketPath);
  try {
    conn.send(Kind.open, { v: 1, ...open });
    let stdout = '';
    let stderr = '';
    for (;;) {
      const frame = await conn.next();
      if (frame.kind === Kind.stdout) stdout += frame.payload.toString();
      else if (frame.kind === Kind.stderr) stderr += frame.payload.toString();
      else if (frame.kind === Kind.error) throw new Error(`agent error ${frame.payload.toString()}`);
      else if (frame.kind === Kind.end) return { stdout, stderr, end: JSON.parse(frame.payload.toString()) };
    }
  } finally {
    conn.close();
  }
}
