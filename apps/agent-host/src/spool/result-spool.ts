import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgentHostError } from '../errors.js';
import {
  ifMissing,
  ownPath,
  parseSpool,
  processAlive,
  type SpoolEntry,
  type SpoolKind,
  spoolPid,
  writeDurably,
} from './spool-file.js';

/** Default bound of the spool file (env `SBX_SPOOL_MAX_BYTES`). */
export const DEFAULT_SPOOL_MAX_BYTES = 16 * 1024 * 1024;

/**
 * An append-only file of results waiting for the store (JSON lines: entries, then `{"ack":n}` once stored).
 * `append()` resolves only after the line is written and fsynced, so a result the caller was answered for
 * survives a SIGKILL or a power cut; `open()` reads back what was not acknowledged (a torn last line, never
 * acknowledged to anyone, is dropped) and rewrites the file with just that. Bounded: an entry that would
 * take the file past `maxBytes` is refused with `STORE_UNAVAILABLE`.
 */
export class ResultSpool {
  readonly path: string;
  readonly maxBytes: number;
  readonly #pending: SpoolEntry[];
  #file: FileHandle;
  #bytes: number;
  #next: number;
  #chain: Promise<unknown> = Promise.resolve();
  #failure: string | undefined;
  // Set when an entry did not fit; cleared when an acknowledgement frees room.
  #full = false;
  // The longest line appended so far: room kept free for the results of work already admitted.
  #headroom = 0;

  private constructor(
    path: string,
    maxBytes: number,
    file: FileHandle,
    pending: SpoolEntry[],
    bytes: number,
  ) {
    this.path = path;
    this.maxBytes = maxBytes;
    this.#file = file;
    this.#pending = pending;
    this.#bytes = bytes;
    this.#next = (pending.at(-1)?.n ?? 0) + 1;
  }

  /**
   * Opens this process's spool beside `path` (`spool.jsonl` -> `spool.<pid>.jsonl`, creating the folder): each
   * process appends to its own file, so an `sbx report` next to a serving host never replaces the file the host
   * writes to. What processes that are gone left behind (a SIGKILLed host) is adopted, in its order, and
   * flushed by this one; a crash while adopting only replays entries the store keeps once.
   */
  static async open(
    path: string,
    options: { maxBytes?: number; pid?: number; isAlive?: (pid: number) => boolean } = {},
  ): Promise<ResultSpool> {
    const maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    const pid = options.pid ?? process.pid;
    const isAlive = options.isAlive ?? processAlive;
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const own = ownPath(path, pid);
    const adopted = (await readdir(dir))
      .map((name) => ({ name, pid: spoolPid(path, name) }))
      .filter(
        (f): f is { name: string; pid: number } => f.pid !== undefined && (f.pid === pid || !isAlive(f.pid)),
      )
      .map((f) => join(dir, f.name));
    const pending: SpoolEntry[] = [];
    for (const file of adopted) {
      for (const entry of parseSpool(await readFile(file, 'utf8').catch(ifMissing('')))) {
        pending.push({ ...entry, n: pending.length + 1 });
      }
    }
    const text = pending.map((e) => `${JSON.stringify(e)}\n`).join('');
    await writeDurably(`${own}.tmp`, text);
    await rename(`${own}.tmp`, own);
    for (const file of adopted) if (file !== own) await rm(file, { force: true });
    const file = await open(own, 'a');
    return new ResultSpool(own, maxBytes, file, pending, Buffer.byteLength(text));
  }

  /** Entries not yet acknowledged, oldest first. */
  get depth(): number {
    return this.#pending.length;
  }

  /** The oldest entry not yet stored, if any. */
  get oldest(): SpoolEntry | undefined {
    return this.#pending[0];
  }

  /**
   * Why the spool cannot take more (full, or its file unwritable), or undefined while it can; no host path in it. "Full" comes one
   * entry early (room for the longest entry so far is kept), so work admitted before it said so still fits.
   */
  get refusal(): string | undefined {
    if (this.#failure) return this.#failure;
    if (this.#full || this.#bytes + this.#headroom >= this.maxBytes)
      return `the host's spool is full (${this.maxBytes} bytes)`;
    return undefined;
  }

  /** Appends an entry and resolves once it is on disk (fsynced). */
  append(kind: SpoolKind, id: string, data: unknown, at = Date.now()): Promise<SpoolEntry> {
    return this.#serial(async () => {
      const entry: SpoolEntry = { n: this.#next, kind, id, at, data };
      const line = `${JSON.stringify(entry)}\n`;
      const size = Buffer.byteLength(line);
      if (this.#bytes + size > this.maxBytes) this.#full = true;
      const refusal = this.#failure ?? (this.#full ? this.refusal : undefined);
      if (refusal)
        throw new AgentHostError('STORE_UNAVAILABLE', `the database is unreachable and ${refusal}`);
      this.#headroom = Math.max(this.#headroom, size);
      try {
        await this.#file.appendFile(line);
        await this.#file.datasync();
      } catch (error) {
        // Said without the path or the system's message: callers and /healthz see this text; the cause has both.
        this.#failure = "the host's spool is unwritable";
        throw new AgentHostError('STORE_UNAVAILABLE', `the database is unreachable and ${this.#failure}`, {
          cause: error,
        });
      }
      this.#next++;
      this.#bytes += size;
      this.#pending.push(entry);
      return entry;
    });
  }

  /** Marks the oldest entry stored; the file is emptied once nothing is left. */
  ack(n: number): Promise<void> {
    return this.#serial(async () => {
      if (this.#pending[0]?.n !== n) return;
      this.#pending.shift();
      this.#full = false;
      if (this.#pending.length === 0) {
        await this.#file.truncate(0);
        await this.#file.datasync();
        this.#bytes = 0;
        return;
      }
      // Not synced: a lost acknowledgement only replays an entry the store keeps once.
      const line = `${JSON.stringify({ ack: n })}\n`;
      await this.#file.appendFile(line);
      this.#bytes += Buffer.byteLength(line);
    });
  }

  /** Closes the file (what is pending stays in it for the next start). */
  close(): Promise<void> {
    return this.#serial(() => this.#file.close());
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(step, step);
    this.#chain = run.catch(() => undefined);
    return run;
  }
}
