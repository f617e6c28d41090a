// Writing a tar archive with tar-stream's packer.
import { Readable } from 'node:stream';
import { type Header, type Pack, pack } from 'tar-stream';
import type { TarEntryType } from './tar-read.js';

/** What an entry written to an archive says about itself. */
export interface TarWriteHeader {
  name: string;
  type: TarEntryType | Header['type'];
  /** Permission bits (`0o644`). */
  mode: number;
  mtimeMs: number;
  size?: number;
  linkName?: string;
}

// The file-type bits of a mode: tar-stream replaces a mode of 0 by its default, and masks these off itself.
const TYPE_BITS = { directory: 0o040000, symlink: 0o120000 } as Record<string, number>;

// tar-stream's header for an entry (a directory's name ends in `/`, as engines write it).
function packHeader(header: TarWriteHeader): Header {
  const type = header.type === 'other' ? 'file' : header.type;
  const name = type === 'directory' && !header.name.endsWith('/') ? `${header.name}/` : header.name;
  return {
    name,
    type,
    mode: (TYPE_BITS[type] ?? 0o100000) + (header.mode & 0o7777),
    mtime: new Date(header.mtimeMs),
    size: header.size ?? 0,
    ...(header.linkName ? { linkname: header.linkName } : {}),
  } as Header;
}

type Sink = ReturnType<Pack['entry']>;

/**
 * Adds an entry to `packer` (with its data when given, else to be written to the returned sink). A sink's
 * error also reaches the packer and `done`, so the sink itself gets a listener: an unheard `error` event
 * (a packer destroyed while an entry is in flight: a download stopped, an upload aborted) would end the process.
 */
export function addEntry(
  packer: Pack,
  header: TarWriteHeader,
  data?: Uint8Array,
  done: (error?: Error | null) => void = () => {},
): Sink {
  const packed = packHeader({ ...header, size: data ? data.length : (header.size ?? 0) });
  const sink = data
    ? packer.entry(packed, Buffer.from(data.buffer, data.byteOffset, data.byteLength), done)
    : packer.entry(packed, done);
  sink.on('error', () => {});
  return sink;
}

/**
 * A tar of directories (`dirs`, each inside the one before) and optionally a file in the last, as a stream:
 * the file's bytes are passed on, not copied.
 */
export function buildTar(
  dirs: readonly string[],
  file?: { name: string; data: Uint8Array; mode: number },
): Readable {
  const mtimeMs = Date.now();
  const packer = pack();
  let prefix = '';
  for (const dir of dirs) {
    prefix += `${dir}/`;
    addEntry(packer, { name: prefix, type: 'directory', mode: 0o755, mtimeMs }, new Uint8Array(0));
  }
  if (file) {
    addEntry(packer, { name: prefix + file.name, type: 'file', mode: file.mode, mtimeMs }, file.data);
  }
  packer.finalize();
  return Readable.from(packer, { objectMode: false });
}

/** Packs whole entries (no data beyond a small body each) into one buffer; `end: false` leaves off the end block. */
export async function packEntries(
  entries: ReadonlyArray<TarWriteHeader & { data?: Uint8Array }>,
  options: { end?: boolean } = {},
): Promise<Buffer> {
  const packer: Pack = pack();
  const chunks: Buffer[] = [];
  packer.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    packer.on('end', () => resolve());
    packer.on('error', reject);
  });
  for (const { data, ...header } of entries) addEntry(packer, header, data ?? new Uint8Array(0));
  packer.finalize();
  await ended;
  const all = Buffer.concat(chunks);
  // The end block is the packer's last 1,024 zero bytes.
  return options.end === false ? all.subarray(0, all.length - 1024) : all;
}
