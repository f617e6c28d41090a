// The tar format the engine's archive API speaks (ustar, with PAX records for long or non-ASCII names and
// big sizes, and GNU long names read too): just what sandbox files need, nothing that touches the host.
import { badTar, headerNumber } from './tar-numbers.js';

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
  /** The raw type flag as read (`0` file, `1` hard link, `2` symlink, `5` directory, ...); unset when written. */
  flag?: string;
}

/** A tar block. */
export const BLOCK = 512;
/** The end of an archive: two zero blocks. */
export const TAR_END: Uint8Array = new Uint8Array(BLOCK * 2);

const TYPE_FLAGS: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '5': 'directory',
  '2': 'symlink',
};
const MAX_OCTAL_SIZE = 8 ** 11 - 1;
// Seconds whose milliseconds are still a safe integer (and a valid `Date`).
const MAX_MTIME_S = 8_640_000_000_000;

/** The zero padding after `size` bytes of entry data. */
export function padding(size: number): Uint8Array {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/** Encodes a header (preceded by a PAX record when the name, link or size does not fit ustar). */
export function encodeHeader(header: TarHeader): Buffer {
  const name = header.type === 'directory' && !header.name.endsWith('/') ? `${header.name}/` : header.name;
  const pax: Record<string, string> = {};
  if (!fitsUstar(name)) pax.path = name;
  if (header.linkName !== undefined && !fitsUstar(header.linkName)) pax.linkpath = header.linkName;
  if (header.size > MAX_OCTAL_SIZE) pax.size = String(header.size);
  const block = ustarBlock({ ...header, name }, Object.keys(pax).length > 0);
  if (Object.keys(pax).length === 0) return block;
  const body = Buffer.from(
    Object.entries(pax)
      .map(([k, v]) => paxRecord(k, v))
      .join(''),
  );
  const paxHeader = ustarBlock(
    { name: 'PaxHeader', type: 'other', size: body.length, mode: 0o644, mtimeMs: header.mtimeMs },
    false,
    'x',
  );
  return Buffer.concat([paxHeader, body, padding(body.length), block]);
}

function fitsUstar(text: string): boolean {
  return Buffer.byteLength(text) <= 100 && /^[\x20-\x7e]*$/.test(text);
}

function paxRecord(key: string, value: string): string {
  const line = ` ${key}=${value}\n`;
  const rest = Buffer.byteLength(line);
  let length = rest + 1;
  while (String(length).length + rest !== length) length = String(length).length + rest;
  return `${length}${line}`;
}

function ustarBlock(header: TarHeader, truncateName: boolean, flag?: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  const name = truncateName ? Buffer.from(header.name).subarray(0, 100) : Buffer.from(header.name);
  name.copy(block, 0, 0, 100);
  octal(block, 100, 8, header.mode & 0o7777);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, Math.min(header.size, MAX_OCTAL_SIZE));
  octal(block, 136, 12, Math.floor(header.mtimeMs / 1000));
  block.write('        ', 148, 'latin1');
  block.write(flag ?? { file: '0', directory: '5', symlink: '2', other: '0' }[header.type], 156, 'latin1');
  if (header.linkName) Buffer.from(header.linkName).copy(block, 157, 0, 100);
  block.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, 'latin1');
}

/** What one raw header block says, before PAX or GNU records are applied. */
export interface RawHeader extends TarHeader {
  /** The raw type flag (`x`, `g`, `L`, `K` are records about the next entry). */
  flag: string;
}

/**
 * Decodes a header block; undefined for a zero block (the end). Every numeric field (checksum, mode, uid, gid,
 * size, mtime) is checked: a bad checksum or a field that is not a number in range throws `INVALID_SPEC`.
 */
export function decodeHeader(block: Uint8Array): RawHeader | undefined {
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  if (buf.length !== BLOCK) throw badTar(`a header is ${buf.length} bytes, not ${BLOCK}`);
  if (buf.every((byte) => byte === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (buf[i] ?? 0);
  if (sum !== headerNumber(buf.subarray(148, 156), 'checksum')) throw badTar('bad header checksum');
  const flag = String.fromCharCode(buf[156] ?? 0);
  // The prefix field is ustar's only (GNU headers keep times there), as Go's archive/tar reads it.
  const prefix = buf.subarray(257, 265).toString('latin1') === 'ustar\x0000' ? text(buf, 345, 155) : '';
  const base = text(buf, 0, 100);
  const linkName = text(buf, 157, 100);
  headerNumber(buf.subarray(108, 116), 'uid');
  headerNumber(buf.subarray(116, 124), 'gid');
  return {
    flag,
    name: prefix ? `${prefix}/${base}` : base,
    type: TYPE_FLAGS[flag] ?? 'other',
    size: headerNumber(buf.subarray(124, 136), 'size'),
    mode: headerNumber(buf.subarray(100, 108), 'mode', 0o7777777) & 0o7777,
    mtimeMs: headerNumber(buf.subarray(136, 148), 'mtime', MAX_MTIME_S) * 1000,
    ...(linkName ? { linkName } : {}),
  };
}

function text(buf: Buffer, offset: number, length: number): string {
  const field = buf.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}
