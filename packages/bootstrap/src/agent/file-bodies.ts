import { BootstrapError } from '../errors.js';
import type { AgentCall } from './agent-call.js';
import { int } from './agent-fields.js';
import { jsonOfFrame } from './agent-requests.js';
import { type AgentFrame, FRAME, MAX_DATA_CHUNK_BYTES, protocolError } from './frame-codec.js';

const tooLarge = (path: string, bytes: number, max: number) =>
  new BootstrapError('FILE_TOO_LARGE', `${path} is ${bytes} bytes or more, over the limit of ${max} bytes`);

/** The body of a started `read`: `data` frames up to `end`, at most `maxBytes` (`FILE_TOO_LARGE` beyond). */
export function readBody(
  call: AgentCall,
  first: AgentFrame,
  path: string,
  maxBytes = Number.POSITIVE_INFINITY,
): { size: number; mode: number; body: AsyncIterable<Uint8Array> } {
  try {
    const json = jsonOfFrame(first, FRAME.ok);
    const size = int(json, 'size', 0, Number.MAX_SAFE_INTEGER);
    const mode = int(json, 'mode', 0, 0o7777);
    if (size > maxBytes) throw tooLarge(path, size, maxBytes);
    return { size, mode, body: frames(call, path, maxBytes) };
  } catch (error) {
    call.close();
    throw error;
  }
}

async function* frames(call: AgentCall, path: string, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  try {
    for (;;) {
      const frame = await call.next();
      if (frame.kind === FRAME.end) return;
      if (frame.kind !== FRAME.data) throw protocolError(`a read sent frame kind ${frame.kind}`);
      total += frame.payload.byteLength;
      // The file may have grown since its size was read, or the agent lies: the cap holds either way.
      if (total > maxBytes) throw tooLarge(path, total, maxBytes);
      yield frame.payload;
    }
  } finally {
    call.close();
  }
}

/** Sends `body` as `data` frames then `end`, and resolves to the size the agent reports. */
export async function writeBody(
  call: AgentCall,
  first: AgentFrame,
  body: AsyncIterable<Uint8Array> | Uint8Array,
  path: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<number> {
  try {
    jsonOfFrame(first, FRAME.ok);
    let total = 0;
    for await (const chunk of body instanceof Uint8Array ? [body] : body) {
      total += chunk.byteLength;
      // Closing before `end` leaves the file untouched (the agent drops its temp file).
      if (total > maxBytes) throw tooLarge(path, total, maxBytes);
      for (let at = 0; at < chunk.byteLength; at += MAX_DATA_CHUNK_BYTES) {
        await call.send(FRAME.data, chunk.subarray(at, at + MAX_DATA_CHUNK_BYTES));
      }
    }
    await call.send(FRAME.end, {});
    return int(await call.expect(FRAME.end), 'size', 0, Number.MAX_SAFE_INTEGER);
  } finally {
    call.close();
  }
}
