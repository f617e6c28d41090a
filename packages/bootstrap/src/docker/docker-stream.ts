import { StringDecoder } from 'node:string_decoder';

/** Which output a chunk of a container's stream belongs to. */
export type OutputStream = 'stdout' | 'stderr';

const HEADER_BYTES = 8;

/**
 * Splits Docker's multiplexed stream (a non-TTY attach, exec or log stream) into stdout and stderr: each
 * frame is an 8-byte header (stream type, three zero bytes, big-endian payload length) and the payload.
 */
export class DockerStreamDemuxer {
  readonly #onFrame: (stream: OutputStream, payload: Buffer) => void;
  #pending: Buffer = Buffer.alloc(0);

  constructor(onFrame: (stream: OutputStream, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  /** Feeds the next chunk as it arrived; frames may span chunks. */
  push(chunk: Buffer): void {
    let buffer = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (buffer.length >= HEADER_BYTES) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < HEADER_BYTES + size) break;
      const type = buffer[0];
      if (size > 0)
        this.#onFrame(type === 2 ? 'stderr' : 'stdout', buffer.subarray(HEADER_BYTES, HEADER_BYTES + size));
      buffer = buffer.subarray(HEADER_BYTES + size);
    }
    this.#pending = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
  }
}

/** What a frame's reader may return: a promise (a thenable) pauses the stream until it settles (backpressure). */
export type FrameResult = unknown;

/**
 * Reads a multiplexed stream to its end, handing each payload to `onFrame`; rejects on a stream error. When
 * `onFrame` returns a promise (its consumer is full), the stream is paused until every such promise settled:
 * the engine stops reading the command's output, so a reader nobody drains holds the command, not memory.
 */
export function readDemuxed(
  stream: NodeJS.ReadableStream,
  onFrame: (stream: OutputStream, payload: Buffer) => FrameResult,
): Promise<void> {
  const waits: Promise<void>[] = [];
  const demuxer = new DockerStreamDemuxer((which, payload) => {
    const wait = onFrame(which, payload);
    if (isThenable(wait)) waits.push(Promise.resolve(wait).then(() => undefined));
  });
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      stream.removeListener('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      demuxer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      if (waits.length === 0) return;
      const pending = Promise.all(waits.splice(0));
      stream.pause();
      pending.then(
        () => stream.resume(),
        (error: unknown) => reject(error),
      );
    };
    stream.on('data', onData);
    // A hijacked socket may close without 'end'; either means the command or container is done.
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', reject);
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** What `collectDemuxed` read: each stream's text, and whether it passed the cap. */
export interface CollectedOutput {
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/**
 * Collects a multiplexed stream into its stdout and stderr text, keeping at most `maxBytes` of each: the
 * rest is read (so the command is not blocked) and dropped, and the result says which stream was cut.
 * `onKept` sees each kept piece as it arrives (streaming callers); a promise it returns pauses the reading.
 */
export async function collectDemuxed(
  stream: NodeJS.ReadableStream,
  maxBytes = Number.POSITIVE_INFINITY,
  onKept?: (stream: OutputStream, payload: Buffer) => FrameResult,
): Promise<CollectedOutput> {
  const out: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const kept: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const cut: Record<OutputStream, boolean> = { stdout: false, stderr: false };
  await readDemuxed(stream, (which, payload) => {
    const room = maxBytes - kept[which];
    if (payload.length > room) cut[which] = true;
    if (room <= 0) return;
    const part = payload.length > room ? payload.subarray(0, room) : payload;
    out[which].push(Buffer.from(part));
    kept[which] += part.length;
    return onKept?.(which, Buffer.from(part));
  });
  return {
    stdout: Buffer.concat(out.stdout).toString('utf8'),
    stderr: Buffer.concat(out.stderr).toString('utf8'),
    stdoutTruncated: cut.stdout,
    stderrTruncated: cut.stderr,
  };
}

/** Ends a stream we no longer read (an abandoned attach or exec). */
export function destroyStream(stream: NodeJS.ReadableStream | undefined): void {
  (stream as { destroy?: () => void } | undefined)?.destroy?.();
}

// A line longer than this is handed over in pieces rather than held forever.
const MAX_LINE_CHARS = 1 << 20;

/** Turns payloads into whole lines per stream (a trailing `\r` dropped); `flush()` emits what is left. */
export class LineSplitter {
  readonly #partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #onLine: (line: string, stream: OutputStream) => void;

  constructor(onLine: (line: string, stream: OutputStream) => void) {
    this.#onLine = onLine;
  }

  /** Adds a payload of one stream. */
  push(stream: OutputStream, payload: Buffer): void {
    const lines = (this.#partial[stream] + this.#decoders[stream].write(payload)).split('\n');
    let rest = lines.pop() ?? '';
    for (const line of lines) this.#onLine(line.endsWith('\r') ? line.slice(0, -1) : line, stream);
    if (rest.length > MAX_LINE_CHARS) {
      this.#onLine(rest, stream);
      rest = '';
    }
    this.#partial[stream] = rest;
  }

  /** Emits unterminated last lines. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.#partial[stream] + this.#decoders[stream].end();
      if (rest) this.#onLine(rest, stream);
      this.#partial[stream] = '';
    }
  }
}
