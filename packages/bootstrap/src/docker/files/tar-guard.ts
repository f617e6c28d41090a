// The validating layer in front of tar-stream. tar-stream parses numbers leniently (`parseInt`: `1.5` is 1,
// `9` is NaN), stops a PAX record at its first bad length, and in a few corners frames or names an entry
// differently from Go's archive/tar, which the engine unpacks with. An archive a caller crafted for such a
// corner would show the checks one entry and the engine another. So every header block is read here first,
// at the place Go reads it, strictly: a bad field, or an archive readers could disagree on, is `INVALID_SPEC`.
import { badTar, headerNumber, parsePax } from './tar-numbers.js';

/** A tar block. */
export const BLOCK = 512;

/** One entry's header as the guard saw it: where its block starts, and its raw type flag. */
export interface GuardedEntry {
  offset: number;
  flag: string;
}

// A PAX or GNU long-name record bigger than this is not a name: refuse it rather than hold it.
const MAX_RECORD_BYTES = 1024 * 1024;
// Seconds whose milliseconds are still a safe integer (and a valid `Date`).
const MAX_MTIME_S = 8_640_000_000_000;
// Types Go reads no data for whatever their size says (tar-stream reads it for all but directories).
const HEADER_ONLY = new Set(['1', '2', '3', '4', '6']);
const RECORDS = new Set(['x', 'g', 'L', 'K']);

interface NameRecord {
  flag: string;
  size: number;
  chunks: Buffer[];
  got: number;
}

interface Pending {
  pax?: Record<string, string>;
  longName?: string;
  longLink?: string;
}

/**
 * Checks a tar archive pushed in chunks of any size, block by block, holding at most one block and one name
 * record; `push` returns the part of the chunk that belongs to the archive (up to its end block) once every
 * header in it passed, and `entries` queues where each entry's header starts for the reader to match.
 */
export class TarGuard {
  /** The entries checked and not yet claimed by the reader, in order. */
  readonly entries: GuardedEntry[] = [];
  readonly #block = Buffer.alloc(BLOCK);
  #filled = 0;
  #offset = 0;
  #skip = 0;
  #record: NameRecord | undefined;
  #meta: Pending = {};
  #ended = false;

  /** True once the end-of-archive block was read. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Checks the next chunk; throws `INVALID_SPEC` on a header no reader may trust. */
  push(chunk: Uint8Array): Buffer {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    while (at < input.length && !this.#ended) {
      const before = at;
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, input.length - at);
        this.#skip -= n;
        at += n;
      } else if (this.#record) {
        at += this.#take(input.subarray(at));
      } else {
        const n = Math.min(BLOCK - this.#filled, input.length - at);
        input.copy(this.#block, this.#filled, at, at + n);
        this.#filled += n;
        at += n;
        if (this.#filled === BLOCK) {
          this.#filled = 0;
          this.#header(this.#block, this.#offset + at - BLOCK);
        }
      }
      // Every pass consumes input; one that did not would spin for ever on the caller's bytes.
      if (at <= before) throw badTar('the reader made no progress');
    }
    this.#offset += at;
    return input.subarray(0, at);
  }

  #take(input: Buffer): number {
    const record = this.#record as NameRecord;
    const n = Math.min(record.size - record.got, input.length);
    record.chunks.push(Buffer.from(input.subarray(0, n)));
    record.got += n;
    if (record.got === record.size) {
      this.#record = undefined;
      this.#skip = (BLOCK - (record.size % BLOCK)) % BLOCK;
      this.#apply(record.flag, Buffer.concat(record.chunks));
    }
    return n;
  }

  #header(block: Buffer, offset: number): void {
    if (block.every((byte) => byte === 0)) {
      this.#ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
    if (sum !== headerNumber(block.subarray(148, 156), 'checksum')) throw badTar('bad header checksum');
    const flag = String.fromCharCode(block[156] ?? 0);
    headerNumber(block.subarray(100, 108), 'mode', 0o7777777);
    headerNumber(block.subarray(108, 116), 'uid');
    headerNumber(block.subarray(116, 124), 'gid');
    headerNumber(block.subarray(136, 148), 'mtime', MAX_MTIME_S);
    const size = headerNumber(block.subarray(124, 136), 'size');
    const ustar = block.subarray(257, 263).toString('latin1') === 'ustar\0';
    if (ustar && block.subarray(508, 512).toString('latin1') === 'tar\0') {
      throw badTar(
        'a STAR header (its name prefix is read two ways): write the archive as ustar, PAX or GNU',
      );
    }
    if (RECORDS.has(flag)) {
      if (size > MAX_RECORD_BYTES) throw badTar(`a name or PAX record of ${size} bytes is too large`);
      if (flag === 'g' && Object.keys(this.#meta).length > 0) {
        throw badTar('a global PAX header sits between an entry and its own PAX or long-name header');
      }
      this.#record = { flag, size, chunks: [], got: 0 };
      if (size === 0) this.#take(Buffer.alloc(0));
      return;
    }
    this.#entry(block, offset, flag, size, ustar);
  }

  #apply(flag: string, body: Buffer): void {
    if (flag === 'L' || flag === 'K') {
      const end = body.indexOf(0);
      const text = body.subarray(0, end === -1 ? body.length : end).toString('utf8');
      if (flag === 'L') this.#meta.longName = text;
      else this.#meta.longLink = text;
      return;
    }
    const pax = parsePax(body);
    for (const key of ['path', 'linkpath'] as const) {
      const value = pax[key];
      if (value === undefined) continue;
      if (flag === 'g') throw badTar(`a global PAX header sets ${key}: set it on the entry's own header`);
      if (value.includes('\0')) throw badTar(`PAX ${key} has a NUL byte`);
    }
    if (flag === 'g' && pax.size !== undefined) throw badTar('a global PAX header sets size');
    if (flag === 'x') this.#meta.pax = pax;
  }

  #entry(block: Buffer, offset: number, flag: string, rawSize: number, ustar: boolean): void {
    const { pax, longName, longLink } = this.#meta;
    this.#meta = {};
    if ((pax?.path !== undefined && longName) || (pax?.linkpath !== undefined && longLink)) {
      throw badTar('an entry has both a GNU long name and a PAX name: readers disagree on which wins');
    }
    const size = pax?.size === undefined ? rawSize : Number(pax.size);
    const raw = field(block, 0, 100);
    const prefix = ustar ? field(block, 345, 155) : '';
    const names = [prefix ? `${prefix}/${raw}` : raw, pax?.path ?? longName ?? ''];
    const name = JSON.stringify(names[1] || names[0]);
    if (flag === 'S') {
      throw badTar(
        `entry ${name} is a GNU sparse file: only files, directories, symlinks and hard links are unpacked`,
      );
    }
    if (size > 0 && HEADER_ONLY.has(flag)) {
      throw badTar(`entry ${name} of type ${flag} carries no data but states ${size} bytes`);
    }
    // Go takes an old-style file (`\0`) named `d/` for a directory without data; tar-stream reads its data.
    if (size > 0 && flag === '\0' && names.some((name) => name.endsWith('/'))) {
      throw badTar(`entry ${name} is named as a directory but states ${size} bytes`);
    }
    this.entries.push({ offset, flag });
    this.#skip = flag === '5' || HEADER_ONLY.has(flag) ? 0 : size + ((BLOCK - (size % BLOCK)) % BLOCK);
  }
}

function field(block: Buffer, offset: number, length: number): string {
  const bytes = block.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? length : end).toString('utf8');
}
