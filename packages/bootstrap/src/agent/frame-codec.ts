import { BootstrapError } from '../errors.js';

/** The frame kinds of the sbx-agent wire protocol v1 (packages/bootstrap/agent/PROTOCOL.md). */
export const FRAME = Object.freeze({
  open: 1,
  ok: 2,
  stdout: 3,
  stderr: 4,
  stdin: 5,
  stdinEof: 6,
  data: 7,
  event: 8,
  control: 9,
  end: 10,
  error: 11,
} as const);

/** One frame kind number. */
export type FrameKind = (typeof FRAME)[keyof typeof FRAME];

/** One frame: its kind and its payload bytes. */
export interface AgentFrame {
  kind: FrameKind;
  payload: Uint8Array;
}

/** The protocol version this host speaks. */
export const AGENT_PROTOCOL_VERSION = 1;
/** The largest frame payload either side accepts: 1 MiB. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** The largest JSON payload: 64 KiB. */
export const MAX_JSON_BYTES = 64 * 1024;
/** The largest `data`/`stdin` payload the host sends (the agent sends at most this too). */
export const MAX_DATA_CHUNK_BYTES = 64 * 1024;

const HEADER_BYTES = 5;

/** The bytes of one frame; a JSON payload is given as an object. Throws when the payload is over its bound. */
export function encodeFrame(kind: FrameKind, payload: Uint8Array | object = new Uint8Array(0)): Buffer {
  const body = payload instanceof Uint8Array ? payload : Buffer.from(JSON.stringify(payload), 'utf8');
  const limit = payload instanceof Uint8Array ? MAX_FRAME_BYTES : MAX_JSON_BYTES;
  if (body.byteLength > limit) {
    throw new BootstrapError('INVALID_SPEC', `an agent frame of ${body.byteLength} bytes is over ${limit}`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.byteLength);
  frame.writeUInt8(kind, 0);
  frame.writeUInt32BE(body.byteLength, 1);
  frame.set(body, HEADER_BYTES);
  return frame;
}

/** `AGENT_PROTOCOL`: the agent sent something the protocol does not allow (the connection is dropped). */
export function protocolError(what: string): BootstrapError {
  return new BootstrapError('AGENT_PROTOCOL', `the sandbox's agent broke the protocol: ${what}`);
}

/**
 * Splits a byte stream into frames. Holds at most one frame (1 MiB + header) in memory; a length over the bound
 * or an unknown kind throws `AGENT_PROTOCOL` before any of its payload is buffered.
 */
export class FrameDecoder {
  #chunks: Buffer[] = [];
  #buffered = 0;

  /** Adds bytes and returns the frames they complete. */
  push(chunk: Uint8Array): AgentFrame[] {
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#buffered += chunk.byteLength;
    const frames: AgentFrame[] = [];
    for (;;) {
      if (this.#buffered < HEADER_BYTES) return frames;
      const head = this.#peek(HEADER_BYTES);
      const kind = head.readUInt8(0);
      const length = head.readUInt32BE(1);
      if (kind < FRAME.open || kind > FRAME.error) throw protocolError(`unknown frame kind ${kind}`);
      if (length > MAX_FRAME_BYTES) throw protocolError(`a frame of ${length} bytes is over 1 MiB`);
      if (this.#buffered < HEADER_BYTES + length) return frames;
      const whole = this.#take(HEADER_BYTES + length);
      frames.push({ kind: kind as FrameKind, payload: whole.subarray(HEADER_BYTES) });
    }
  }

  /** Bytes received that do not make a whole frame yet. */
  get pendingBytes(): number {
    return this.#buffered;
  }

  #peek(bytes: number): Buffer {
    if ((this.#chunks[0]?.byteLength ?? 0) < bytes) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] as Buffer;
  }

  #take(bytes: number): Buffer {
    const all = this.#peek(bytes);
    const taken = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.#chunks[0] = rest;
    if (rest.byteLength === 0) this.#chunks.shift();
    this.#buffered -= bytes;
    return taken;
  }
}

/**
 * The JSON object of a frame's payload; `AGENT_PROTOCOL` when it is over `maxBytes` (64 KiB; a `list` or `ps`
 * answer may fill its frame, up to 1 MiB), not JSON or not an object.
 */
export function jsonPayload(frame: AgentFrame, maxBytes = MAX_JSON_BYTES): Record<string, unknown> {
  if (frame.payload.byteLength > maxBytes) {
    throw protocolError(
      `a JSON payload of ${frame.payload.byteLength} bytes is over ${maxBytes === MAX_JSON_BYTES ? '64 KiB' : `${maxBytes} bytes`}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(frame.payload).toString('utf8'));
  } catch {
    throw protocolError(`frame kind ${frame.kind} carries no valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw protocolError(`frame kind ${frame.kind} carries JSON that is not an object`);
  }
  return value as Record<string, unknown>;
}
