import { SbxError } from './errors.js';
import { fromBase64, readNdjson } from './ndjson.js';
import type { components } from './types.js';

type OutputEvent = components['schemas']['OutputEvent'];
type ExitLine<E> = { exit: E & { error?: { code: string; message: string } } };

/** Where `collectOutput` streams the pieces, and what the missing exit line is called in its error. */
export interface CollectOptions {
  /** Each piece of stdout as it arrives: its text (UTF-8) and its exact bytes. */
  onStdout?: (text: string, bytes: Uint8Array) => void;
  onStderr?: (text: string, bytes: Uint8Array) => void;
  /** Names the stream in the `STREAM_ENDED` error, e.g. `process 42`. */
  what: string;
}

/**
 * Reads an NDJSON output stream (output lines, then one exit line) to its exit line: streams each piece to the
 * callbacks, resolves to the exit with the collected text, rejects with the exit's error or `STREAM_ENDED`.
 */
export async function collectOutput<E extends object>(
  response: Response,
  options: CollectOptions,
): Promise<Omit<E, 'error'> & { stdout: string; stderr: string }> {
  const text = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const out = { stdout: '', stderr: '' };
  for await (const event of readNdjson<OutputEvent | ExitLine<E>>(response.body)) {
    if ('exit' in event) {
      const { error, ...exit } = event.exit;
      if (error) throw new SbxError(error.code, error.message, { status: response.status });
      return {
        ...exit,
        stdout: out.stdout + text.stdout.decode(),
        stderr: out.stderr + text.stderr.decode(),
      };
    }
    const bytes = event.encoding === 'base64' ? fromBase64(event.data) : new TextEncoder().encode(event.data);
    const piece =
      event.encoding === 'base64' ? text[event.stream].decode(bytes, { stream: true }) : event.data;
    out[event.stream] += piece;
    (event.stream === 'stdout' ? options.onStdout : options.onStderr)?.(piece, bytes);
  }
  throw new SbxError('STREAM_ENDED', `the output of ${options.what} ended without an exit line`);
}
