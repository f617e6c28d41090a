// Reading a tar archive: tar-stream parses it, behind the guard that checks every header first.
import { type Extract, extract, type Header } from 'tar-stream';
import { BootstrapError } from '../../errors.js';
import { TarGuard } from './tar-guard.js';
import { badTar } from './tar-numbers.js';

/** The kind of one tar entry. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'other';

/** One tar entry's header. */
export interface TarHeader {
  /** The path inside the archive, without a leading `./`. */
  name: string;
  type: TarEntryType;
  size: number;
  /** Permission bits (`0o644`). */
  mode: number;
  mtimeMs: number;
  linkName?: string;
  /** The raw type flag as read (`0` file, `1` hard link, `2` symlink, `5` directory, ...). */
  flag: string;
}

/** One entry being read: its header and its data (what the consumer leaves unread is skipped). */
export interface TarEntry {
  header: TarHeader;
  body: AsyncIterable<Uint8Array>;
}

const TYPES: Partial<Record<Header['type'], TarEntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
};

/**
 * Reads an archive from `source` entry by entry, streaming each entry's data (no archive is held whole);
 * pass a `guard` to learn afterwards whether the archive had its end block. A malformed archive throws
 * `INVALID_SPEC`; the source is read no further once the consumer stops.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  guard: TarGuard = new TarGuard(),
): AsyncGenerator<TarEntry> {
  // Go reads old (v7) headers too; the guard has checked every field, whatever the magic says.
  const reader = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0]);
  const feeding = feed(source, guard, reader);
  try {
    for await (const body of reader) {
      const seen = guard.entries.shift();
      // The guard and tar-stream must find the same headers, or the checks would read another archive.
      if (!seen || seen.offset !== body.offset) {
        throw badTar(`the entry at byte ${body.offset} is framed two ways`);
      }
      const data = once(body as AsyncIterable<Uint8Array>);
      yield { header: toHeader(body.header, seen.flag), body: data };
      // What the consumer left unread is skipped: tar-stream waits for every entry to be drained.
      for await (const _ of data);
    }
    // The reader finished, so the feeder has: an error it met is thrown even if the reader's end hid it.
    const failure = await feeding;
    if (failure !== undefined) throw failure;
  } catch (error) {
    throw asTarError(error);
  } finally {
    // Not awaited: the feeder may wait on a quiet source; it stops at its next chunk (callers destroy it).
    reader.destroy();
    void feeding;
  }
}

async function feed(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  guard: TarGuard,
  reader: Extract,
): Promise<unknown> {
  try {
    if (Symbol.iterator in source) {
      // Already in memory: checked chunk by chunk, then handed over whole (tar-stream pays per write).
      const parts: Buffer[] = [];
      for (const chunk of source) {
        parts.push(guard.push(chunk));
        if (guard.ended) break;
      }
      reader.write(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
    } else {
      for await (const chunk of source) {
        const part = guard.push(chunk);
        if (part.length > 0 && !reader.write(part)) await writable(reader);
        if (guard.ended || reader.destroyed) break;
      }
    }
    if (!reader.destroyed) reader.end(undefined);
    return undefined;
  } catch (error) {
    reader.destroy(error as Error);
    return error;
  }
}

interface Emitter {
  readonly destroyed: boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

// The entry's data as one iterator: a consumer that stops early leaves the rest for `readTar` to skip.
function once(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  const shared: AsyncIterator<Uint8Array> = {
    next: () =>
      iterator.next().catch((error: unknown) => {
        throw asTarError(error);
      }),
    return: async () => ({ done: true, value: undefined }),
  };
  return { [Symbol.asyncIterator]: () => shared };
}

/** Resolves once a tar-stream writable takes more bytes, or is gone (so a stopped reader never hangs this). */
export function writable(stream: Emitter): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function toHeader(header: Header, rawFlag: string): TarHeader {
  const name = header.name.replace(/^(\.\/)+/, '');
  // An old-style file (`\0`) named `d/` is a directory, as Go reads it (the guard refused one with data).
  const flag = rawFlag === '\0' && name.endsWith('/') ? '5' : rawFlag;
  return {
    name,
    type: flag === '5' ? 'directory' : (TYPES[header.type] ?? 'other'),
    size: flag === '5' ? 0 : header.size,
    mode: header.mode & 0o7777,
    mtimeMs: header.mtime.getTime(),
    ...(header.linkname ? { linkName: header.linkname } : {}),
    flag,
  };
}

// Our own errors pass; tar-stream's become `INVALID_SPEC` (the guard refuses nearly all of them first).
function asTarError(error: unknown): BootstrapError {
  if (error instanceof BootstrapError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return badTar(message === 'Unexpected end of data' ? 'it ends early (cut inside an entry)' : message);
}
