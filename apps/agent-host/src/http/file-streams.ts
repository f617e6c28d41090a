import { AgentHostError } from '../errors.js';

/** Passes `source` on and calls `release` once it ends, fails or its reader stops. */
export async function* releasing<T>(source: AsyncIterable<T>, release: () => void): AsyncGenerator<T> {
  try {
    yield* source;
  } finally {
    release();
  }
}

/**
 * Passes on exactly `size` bytes of `source` (the `Content-Length` already sent): more are cut off, and fewer
 * fail the stream (the response is aborted rather than ending short of its stated length).
 */
export async function* exactly(
  source: AsyncIterable<Uint8Array>,
  size: number,
  path: string,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of source) {
    const part = chunk.length > size - sent ? chunk.subarray(0, size - sent) : chunk;
    if (part.length > 0) yield part;
    sent += part.length;
    if (sent === size) return;
  }
  if (sent < size) {
    throw new AgentHostError(
      'FILE_CHANGED',
      `${path} shrank from ${size} to ${sent} bytes while it was read - read it again`,
    );
  }
}
