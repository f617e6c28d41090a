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
