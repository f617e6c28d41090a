import { Readable } from 'node:stream';
import { BootstrapError } from '../../errors.js';
import type { FileStat } from '../../sandbox-adapter.js';
import { destroyStream } from '../docker-stream.js';
import { encodeHeader, padding, TAR_END, type TarHeader } from './tar-header.js';
import { TarParser } from './tar-parser.js';

/**
 * Reads an archive stream through a parser, yielding what `emit` queues, and destroys the stream when done,
 * when the consumer stops early, or when `stop()` says enough.
 */
async function* parseStream(
  stream: NodeJS.ReadableStream,
  setup: (queue: Uint8Array[], stop: () => void) => TarParser,
): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let stopped = false;
  const parser = setup(queue, () => {
    stopped = true;
  });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parser.push(chunk);
      while (queue.length > 0) yield queue.shift() as Uint8Array;
      if (stopped || parser.ended) return;
    }
  } finally {
    destroyStream(stream);
  }
}

/** The bytes of the first entry of an archive (a file the engine tarred). */
export function firstEntryBody(stream: NodeJS.ReadableStream): AsyncIterable<Uint8Array> {
  return parseStream(stream, (queue, stop) => {
    let entries = 0;
    return new TarParser({
      onEntry: () => {
        entries += 1;
      },
      onData: (chunk) => {
        if (entries === 1) queue.push(chunk);
      },
      onEntryEnd: stop,
    });
  });
}

/** The name of an entry relative to the tarred directory (the engine puts its base name first). */
export function relativeName(name: string): string {
  const slash = name.indexOf('/');
  return slash === -1 ? '' : name.slice(slash + 1);
}

/**
 * Re-emits the engine's archive of a directory with names relative to it; an archive of more than `maxBytes`
 * (entry data, headers and padding: many small files weigh more than their data) fails the stream with
 * `FILE_TOO_LARGE` before those bytes are sent (the archive is then cut short, which a tar reader notices).
 */
export function relativeTar(stream: NodeJS.ReadableStream, maxBytes: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    let total = 0;
    const emit = (queue: Uint8Array[], part: Uint8Array) => {
      total += part.length;
      if (total > maxBytes) {
        throw new BootstrapError(
          'FILE_TOO_LARGE',
          `the archive of this directory is over ${maxBytes} bytes - download a smaller directory`,
        );
      }
      queue.push(part);
    };
    const body = parseStream(stream, (queue) => {
      let skip = false;
      return new TarParser({
        onEntry: (header) => {
          const name = relativeName(header.name);
          skip = name === '';
          if (!skip) emit(queue, encodeHeader({ ...header, name }));
        },
        onData: (chunk) => {
          if (!skip) emit(queue, chunk);
        },
        onEntryEnd: (header) => {
          if (!skip) emit(queue, padding(header.size));
        },
      });
    });
    yield* body;
    yield TAR_END;
  })();
}

/** What a listing may cost: children returned, entries and archive bytes read, and time. */
export interface ListBounds {
  maxEntries: number;
  maxBytes: number;
  /** Entries read at any depth (the engine tars the whole tree; a listing wants only the top). */
  maxScanned: number;
  maxMs: number;
  /** Monotonic milliseconds (`performance.now`). */
  now?: () => number;
}

/**
 * Direct children of a tarred directory, at most `maxEntries`; the read stops (`truncated`) once it has seen
 * `maxScanned` entries at any depth, `maxBytes` of the archive (headers included) or `maxMs`.
 */
export async function listChildren(
  stream: NodeJS.ReadableStream,
  bounds: ListBounds,
): Promise<{ entries: FileStat[]; truncated: boolean }> {
  const now = bounds.now ?? (() => performance.now());
  const deadline = now() + bounds.maxMs;
  const entries: FileStat[] = [];
  let truncated = false;
  let read = 0;
  let scanned = 0;
  const chunks = parseStream(stream, (_queue, stop) => {
    const over = (past: boolean) => {
      if (past && !truncated) {
        truncated = true;
        stop();
      }
      return truncated;
    };
    return new TarParser({
      onEntry: (header) => {
        scanned += 1;
        read += 512;
        if (over(scanned > bounds.maxScanned || read > bounds.maxBytes || now() > deadline)) return;
        const name = relativeName(header.name).replace(/\/$/, '');
        if (name === '' || name.includes('/')) return;
        if (over(entries.length === bounds.maxEntries)) return;
        entries.push(toStat(header, name));
      },
      onData: (chunk) => {
        read += chunk.length;
        over(read > bounds.maxBytes);
      },
    });
  });
  for await (const _ of chunks);
  return { entries, truncated };
}

function toStat(header: TarHeader, name: string): FileStat {
  return {
    name,
    type: header.type,
    size: header.size,
    mode: header.mode,
    mtimeMs: header.mtimeMs,
    ...(header.linkName ? { linkTarget: header.linkName } : {}),
  };
}

/**
 * A tar of directories (`names`, each inside the one before) and optionally a file in the last, as a stream of
 * its parts: the file's bytes are passed on, not copied.
 */
export function buildTar(
  dirs: readonly string[],
  file?: { name: string; data: Uint8Array; mode: number },
): Readable {
  const now = Date.now();
  const parts: Uint8Array[] = [];
  let prefix = '';
  for (const dir of dirs) {
    prefix += `${dir}/`;
    parts.push(encodeHeader({ name: prefix, type: 'directory', size: 0, mode: 0o755, mtimeMs: now }));
  }
  if (file) {
    const header = {
      name: prefix + file.name,
      type: 'file' as const,
      size: file.data.length,
      mode: file.mode,
    };
    parts.push(encodeHeader({ ...header, mtimeMs: now }), file.data, padding(file.data.length));
  }
  parts.push(TAR_END);
  return Readable.from(parts, { objectMode: false });
}
