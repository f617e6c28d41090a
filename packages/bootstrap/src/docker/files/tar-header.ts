// The tar format the engine's archive API speaks (ustar, with PAX records for long or non-ASCII names and
// big sizes, and GNU long names read too): just what sandbox files need, nothing that touches the host.

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

/** Decodes a header block; undefined for a zero block (the end). Throws on a bad checksum. */
export function decodeHeader(block: Uint8Array): RawHeader | undefined {
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  if (buf.every((byte) => byte === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (buf[i] ?? 0);
  if (sum !== parseNumber(buf, 148, 8)) throw new Error('not a tar archive (bad header checksum)');
  const flag = String.fromCharCode(buf[156] ?? 0);
  const prefix = buf.subarray(257, 262).toString('latin1') === 'ustar' ? text(buf, 345, 155) : '';
  const base = text(buf, 0, 100);
  const linkName = text(buf, 157, 100);
  return {
    flag,
    name: prefix ? `${prefix}/${base}` : base,
    type: TYPE_FLAGS[flag] ?? 'other',
    size: parseNumber(buf, 124, 12),
    mode: parseNumber(buf, 100, 8) & 0o7777,
    mtimeMs: parseNumber(buf, 136, 12) * 1000,
    ...(linkName ? { linkName } : {}),
  };
}

function text(buf: Buffer, offset: number, length: number): string {
  const field = buf.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

// Octal, or GNU base-256 (high bit set) for values that do not fit.
function parseNumber(buf: Buffer, offset: number, length: number): number {
  const field = buf.subarray(offset, offset + length);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const digits = field
    .toString('latin1')
    .replace(/[\0 ]+/g, ' ')
    .trim();
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

/** Parses the records of a PAX header body (`LEN key=value\n` ...). */
export function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(32, offset);
    const length = Number.parseInt(body.subarray(offset, space).toString('latin1'), 10);
    if (!(space > offset && length > 0)) break;
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return records;
}
