import { BootstrapError } from '../../errors.js';
import { BLOCK, decodeHeader, type TarHeader } from './tar-header.js';
import { badTar, parsePax } from './tar-numbers.js';

/** What a `TarParser` reports as it reads. */
export interface TarParserHandlers {
  /** A new entry begins (PAX and GNU long-name records already applied). */
  onEntry(header: TarHeader): void;
  /** A piece of the current entry's data. */
  onData?(chunk: Buffer): void;
  /** The current entry's data is complete. */
  onEntryEnd?(header: TarHeader): void;
}

// A PAX or GNU long-name record bigger than this is not a name: refuse it rather than hold it.
const MAX_RECORD_BYTES = 1024 * 1024;
// Entry types that carry no data whatever their size field says (as Go's archive/tar, which the engine uses,
// reads them): reading their size as data would let an archive hide entries from this parser.
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * Reads a tar archive pushed in chunks of any size, calling back per entry and per data chunk; it holds at
 * most one block and one name record, whatever the archive's size. Throws on a malformed archive.
 */
export class TarParser {
  readonly #handlers: TarParserHandlers;
  #pending: Buffer = Buffer.alloc(0);
  #state: 'header' | 'data' | 'record' | 'skip' | 'end' = 'header';
  #remaining = 0;
  #skip = 0;
  #current: TarHeader | undefined;
  #record: { flag: string; chunks: Buffer[] } | undefined;
  #overrides: { path?: string; linkpath?: string; size?: number } = {};

  constructor(handlers: TarParserHandlers) {
    this.#handlers = handlers;
  }

  /** True once the end-of-archive block was read. */
  get ended(): boolean {
    return this.#state === 'end';
  }

  /** Feeds the next chunk. */
  push(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#pending.length > 0) {
      buf = Buffer.concat([this.#pending, buf]);
      this.#pending = Buffer.alloc(0);
    }
    while (buf.length > 0 && this.#state !== 'end') {
      if (this.#state === 'header' && buf.length < BLOCK) break;
      const before = buf.length;
      if (this.#state === 'header') {
        this.#header(buf.subarray(0, BLOCK));
        buf = buf.subarray(BLOCK);
      } else if (this.#state === 'skip') {
        const n = Math.min(this.#skip, buf.length);
        this.#skip -= n;
        buf = buf.subarray(n);
        if (this.#skip === 0) this.#state = 'header';
      } else {
        const n = Math.min(this.#remaining, buf.length);
        this.#take(buf.subarray(0, n));
        buf = buf.subarray(n);
      }
      // Every pass consumes input; one that did not would spin for ever on the caller's bytes.
      if (!(buf.length < before)) {
        throw new BootstrapError('FILE_FAILED', `tar parser made no progress in state ${this.#state}`);
      }
    }
    if (buf.length > 0 && this.#state === 'header') this.#pending = Buffer.from(buf);
  }

  #header(block: Buffer): void {
    const raw = decodeHeader(block);
    if (!raw) {
      this.#state = 'end';
      return;
    }
    if (raw.flag === 'x' || raw.flag === 'g' || raw.flag === 'L' || raw.flag === 'K') {
      if (raw.size > MAX_RECORD_BYTES) throw badTar(`a name or PAX record of ${raw.size} bytes is too large`);
      this.#record = { flag: raw.flag, chunks: [] };
      this.#begin('record', raw.size);
      return;
    }
    const { path, linkpath, size } = this.#overrides;
    this.#overrides = {};
    const name = (path ?? raw.name).replace(/^(\.\/)+/, '');
    // An old-style file (`\0`) whose name ends in `/` is a directory, as Go's archive/tar reads it.
    const flag = raw.flag === '\0' && name.endsWith('/') ? '5' : raw.flag;
    const header: TarHeader = {
      name,
      type: flag === '5' ? 'directory' : raw.type,
      size: HEADER_ONLY.has(flag) ? 0 : (size ?? raw.size),
      mode: raw.mode,
      mtimeMs: raw.mtimeMs,
      ...((linkpath ?? raw.linkName) ? { linkName: linkpath ?? raw.linkName } : {}),
      flag,
    };
    this.#current = header;
    this.#handlers.onEntry(header);
    this.#begin('data', header.size);
  }

  #begin(state: 'data' | 'record', size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw badTar(`an entry size of ${size} is not a byte count`);
    this.#remaining = size;
    this.#skip = (BLOCK - (size % BLOCK)) % BLOCK;
    this.#state = state;
    if (size === 0) this.#finish();
  }

  #take(part: Buffer): void {
    this.#remaining -= part.length;
    if (this.#state === 'record') this.#record?.chunks.push(Buffer.from(part));
    else if (part.length > 0) this.#handlers.onData?.(part);
    if (this.#remaining === 0) this.#finish();
  }

  #finish(): void {
    if (this.#state === 'record' && this.#record) {
      const body = Buffer.concat(this.#record.chunks);
      const pax = this.#record.flag === 'x' || this.#record.flag === 'g' ? parsePax(body) : {};
      if (this.#record.flag === 'x') {
        if (pax.path !== undefined) this.#overrides.path = pax.path;
        if (pax.linkpath !== undefined) this.#overrides.linkpath = pax.linkpath;
        if (pax.size !== undefined) this.#overrides.size = Number(pax.size);
      } else if (this.#record.flag === 'L') {
        this.#overrides.path = body.toString('utf8').replace(/\0+$/, '');
      } else if (this.#record.flag === 'K') {
        this.#overrides.linkpath = body.toString('utf8').replace(/\0+$/, '');
      }
      this.#record = undefined;
    } else if (this.#current) {
      this.#handlers.onEntryEnd?.(this.#current);
      this.#current = undefined;
    }
    this.#state = this.#skip > 0 ? 'skip' : 'header';
  }
}
