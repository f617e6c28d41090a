import { type Pack, pack } from 'tar-stream';
import { BootstrapError } from '../../errors.js';
import type { FileStat } from '../../sandbox-adapter.js';
import { destroyStream } from '../docker-stream.js';
import { readTar, type TarEntry, type TarHeader, writable } from './tar-read.js';
import { addEntry } from './tar-write.js';

// Entries handed to the packer before the oldest must have gone out (each holds at most one small buffer).
const WINDOW = 32;

/** The bytes of the first entry of an archive (a file the engine tarred). */
export async function* firstEntryBody(stream: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  try {
    for await (const { body } of readTar(stream as AsyncIterable<Uint8Array>)) {
      yield* body;
      return;
    }
  } finally {
    destroyStream(stream);
  }
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
export async function* relativeTar(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  const packer = pack();
  const writing = repack(readTar(stream as AsyncIterable<Uint8Array>), packer);
  let total = 0;
  try {
    for await (const chunk of packer as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new BootstrapError(
          'FILE_TOO_LARGE',
          `the archive of this directory is over ${maxBytes} bytes - download a smaller directory`,
        );
      }
      yield chunk;
    }
    await writing;
  } finally {
    packer.destroy();
    destroyStream(stream);
  }
}

// Writes each entry under its relative name into `packer`; a read error ends the packer with it, and a
// packer the consumer stopped ends the reading. At most `WINDOW` entries are in the packer unsent.
async function repack(entries: AsyncGenerator<TarEntry>, packer: Pack): Promise<void> {
  const inFlight: Array<Promise<void>> = [];
  try {
    for await (const { header, body } of entries) {
      const name = relativeName(header.name);
      if (name === '') continue;
      if (packer.destroying) return;
      let settle: (error?: Error | null) => void = () => {};
      const written = new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
      written.catch(() => {});
      inFlight.push(written);
      const sink = addEntry(packer, { ...header, name }, undefined, (error) => settle(error));
      for await (const chunk of body) if (!sink.write(chunk)) await writable(sink);
      sink.end(undefined);
      if (inFlight.length >= WINDOW) await inFlight.shift();
    }
    await Promise.all(inFlight);
    packer.finalize();
  } catch (error) {
    packer.destroy(error as Error);
  }
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
  let read = 0;
  let scanned = 0;
  const over = () => scanned > bounds.maxScanned || read > bounds.maxBytes || now() > deadline;
  try {
    for await (const { header, body } of readTar(stream as AsyncIterable<Uint8Array>)) {
      scanned += 1;
      read += 512;
      if (over()) return { entries, truncated: true };
      const name = relativeName(header.name).replace(/\/$/, '');
      if (name !== '' && !name.includes('/')) {
        if (entries.length === bounds.maxEntries) return { entries, truncated: true };
        entries.push(toStat(header, name));
      }
      for await (const chunk of body) {
        read += chunk.length;
        if (read > bounds.maxBytes) return { entries, truncated: true };
      }
    }
    return { entries, truncated: false };
  } finally {
    destroyStream(stream);
  }
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
