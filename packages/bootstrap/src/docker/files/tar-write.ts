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

/** tar-stream's header for an entry (a directory's name ends in `/`, as engines write it). */
export function packHeader(header: TarWriteHeader): Header {
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
    packer.entry(packHeader({ name: prefix, type: 'directory', mode: 0o755, mtimeMs }));
  }
  if (file) {
    const header = { name: prefix + file.name, type: 'file' as const, mode: file.mode, mtimeMs };
    packer.entry(
      packHeader({ ...header, size: file.data.length }),
      Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
    );
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
  for (const { data, ...header } of entries) {
    packer.entry(packHeader({ ...header, size: data?.length ?? 0 }), Buffer.from(data ?? []));
  }
  packer.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of packer) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  // The end block is the packer's last 1,024 zero bytes.
  return options.end === false ? all.subarray(0, all.length - 1024) : all;
}
