import { SbxError } from './errors.js';

/** Reads an NDJSON body one parsed line at a time, as the lines arrive. */
export async function* readNdjson<T>(body: ReadableStream<Uint8Array> | null): AsyncGenerator<T> {
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) yield parse<T>(line);
        newline = buffer.indexOf('\n');
      }
      if (done) break;
    }
    if (buffer.trim()) yield parse<T>(buffer.trim());
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function parse<T>(line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw new SbxError('BAD_RESPONSE', `not an NDJSON line: ${line.slice(0, 80)}`, { cause: error });
  }
}

const base64Table = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]),
);

/** Decodes base64 without Node's Buffer or `atob` on binary strings. */
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of clean) {
    value = (value << 6) | (base64Table.get(char) ?? 0);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
