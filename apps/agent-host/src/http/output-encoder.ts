/** One output line of a streamed exec or log. */
export interface OutputEvent {
  stream: 'stdout' | 'stderr';
  data: string;
  encoding?: 'base64';
}

const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns output chunks into NDJSON events: UTF-8 text where the bytes are valid UTF-8, base64 (`encoding:
 * 'base64'`) where they are not. A character split across two chunks is held (at most 3 bytes) until the rest
 * arrives, so text is never mistaken for binary at a chunk boundary.
 */
export class OutputEncoder {
  readonly #held: Record<OutputEvent['stream'], Uint8Array> = {
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
  };

  /** The events for one chunk (none when it is only the start of a character). */
  push(stream: OutputEvent['stream'], chunk: Uint8Array): OutputEvent[] {
    const bytes = concat(this.#held[stream], chunk);
    const cut = bytes.length - incompleteTail(bytes);
    this.#held[stream] = bytes.slice(cut);
    return cut === 0 ? [] : [encode(stream, bytes.subarray(0, cut))];
  }

  /** What is still held, once the output ended. */
  flush(): OutputEvent[] {
    const events: OutputEvent[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#held[stream].length > 0) events.push(encode(stream, this.#held[stream]));
      this.#held[stream] = new Uint8Array(0);
    }
    return events;
  }
}

function encode(stream: OutputEvent['stream'], bytes: Uint8Array): OutputEvent {
  try {
    return { stream, data: fatal.decode(bytes) };
  } catch {
    return { stream, data: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
}

// How many bytes at the end start a UTF-8 character that is not complete yet (0 when none).
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const encoder = new TextEncoder();

/** One NDJSON line. */
export function ndjsonLine(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value)}\n`);
}

/** What `ndjsonStream` hands the producer of a stream's lines. */
export interface NdjsonSink {
  /** Aborts when the client cancels the stream (or its request's signal aborts). */
  signal: AbortSignal;
  /** Sends one line; nothing once the client went away. */
  send(value: unknown): void;
  /**
   * Sends an output chunk as events (`OutputEncoder.push`); resolves at once while the client keeps up, else
   * once it has read the queue down (or went away): the producer waits, so unread output is not held here.
   */
  output(stream: OutputEvent['stream'], chunk: Uint8Array): Promise<void> | undefined;
  /** Sends what the encoder still holds (`OutputEncoder.flush`). */
  flush(): void;
}

/** Bytes of NDJSON lines queued for a client before `NdjsonSink.output` makes its producer wait. */
export const NDJSON_QUEUE_BYTES = 256 * 1024;

/**
 * A stream of NDJSON lines that `produce` sends while it runs; it closes once `produce` settles, and a client
 * that cancels it aborts the sink's signal (joined with `requestSignal`). At most about `NDJSON_QUEUE_BYTES`
 * wait for a slow client: past that, `output` returns a promise that settles when the client reads (backpressure).
 */
export function ndjsonStream(
  requestSignal: AbortSignal,
  produce: (sink: NdjsonSink) => Promise<void>,
): ReadableStream<Uint8Array> {
  const gone = new AbortController();
  const signal = AbortSignal.any([requestSignal, gone.signal]);
  const encoder = new OutputEncoder();
  let waiting: Array<() => void> = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resolve of woken) resolve();
  };
  signal.addEventListener('abort', wake, { once: true });
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (value: unknown) => {
          if (!gone.signal.aborted) controller.enqueue(ndjsonLine(value));
        };
        void produce({
          signal,
          send,
          output: (stream, chunk) => {
            for (const event of encoder.push(stream, chunk)) send(event);
            if (signal.aborted || (controller.desiredSize ?? 1) > 0) return undefined;
            return new Promise<void>((resolve) => waiting.push(resolve));
          },
          flush: () => {
            for (const event of encoder.flush()) send(event);
          },
        }).finally(() => {
          signal.removeEventListener('abort', wake);
          if (!gone.signal.aborted) controller.close();
        });
      },
      pull() {
        wake();
      },
      cancel() {
        gone.abort(new Error('the client went away'));
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: NDJSON_QUEUE_BYTES }),
  );
}

/**
 * A response body that calls `release` once the client has read all of `body` or went away (not when the
 * producer finished): what holds a slot for a response holds it while its bytes wait for the client.
 */
export function releaseWhenRead(
  body: ReadableStream<Uint8Array>,
  release: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      async cancel(reason) {
        release();
        await reader.cancel(reason);
      },
    },
    // Nothing read ahead: a pull happens only when the client (the server's socket) asks for more.
    { highWaterMark: 0 },
  );
}

/** `bytes` as a stream of 64 KiB chunks, so a large JSON answer is written only as fast as the client reads. */
export function chunkedBody(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.subarray(offset, offset + CHUNK_BYTES));
        offset += CHUNK_BYTES;
      },
    },
    { highWaterMark: 0 },
  );
}

const CHUNK_BYTES = 64 * 1024;
