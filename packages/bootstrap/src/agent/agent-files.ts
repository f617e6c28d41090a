// The file operations of the in-sandbox agent (stat, list, mkdir, move, remove, read, write, watch): the part of
// `SandboxAgent` that works on paths, each call on its own connection.
import type { AgentConnection } from './agent-connection.js';
import { array, bool } from './agent-fields.js';
import { checkPath, jsonOf, limits, readRange, user } from './agent-requests.js';
import {
  type AgentFileList,
  type AgentFileStat,
  toFileStat,
  toWatchEvent,
  type WatchEvent,
} from './agent-types.js';
import { readBody, writeBody } from './file-bodies.js';
import { FRAME, protocolError } from './frame-codec.js';

/** Options every file operation takes. */
export interface AgentFileOptions {
  signal?: AbortSignal;
  /** Runs the operation as this user (`name`, `uid`, `uid:gid`); default the sandbox's user. */
  user?: string;
}

/** The agent's file operations; `SandboxAgent` has them all. */
export class AgentFiles {
  readonly #connection: AgentConnection;

  constructor(connection: AgentConnection) {
    this.#connection = connection;
  }

  /** The stat of `path` (a link as a link); rejects with `FILE_NOT_FOUND` when nothing is there. */
  async stat(path: string, options: AgentFileOptions = {}): Promise<AgentFileStat> {
    return toFileStat(await this.#file('stat', { path: checkPath(path) }, `stat ${path}`, options));
  }

  /** The entries under the directory `path`, depth-first to `depth` (1..16), at most `maxEntries` (<= 10,000). */
  async list(
    path: string,
    options: AgentFileOptions & { depth?: number; maxEntries?: number } = {},
  ): Promise<AgentFileList> {
    const params = { path: checkPath(path), ...limits(options) };
    const json = await this.#file('list', params, `listing ${path}`, { ...options, wholeFrame: true });
    const entries = array(json, 'entries', options.maxEntries ?? 10_000).map(toFileStat);
    return { entries, truncated: bool(json, 'truncated') };
  }

  /** `mkdir -p path`; resolves to whether it was created. */
  async mkdir(path: string, options: AgentFileOptions & { mode?: number } = {}): Promise<boolean> {
    const params = { path: checkPath(path), ...(options.mode === undefined ? {} : { mode: options.mode }) };
    return bool(await this.#file('mkdir', params, `creating ${path}`, options), 'created');
  }

  /** Renames `from` to `to` (parents of `to` created). */
  async move(from: string, to: string, options: AgentFileOptions = {}): Promise<void> {
    await this.#file('move', { from: checkPath(from), to: checkPath(to) }, `moving ${from}`, options);
  }

  /** Removes `path` recursively; `FILE_NOT_FOUND` when nothing is there. */
  async remove(path: string, options: AgentFileOptions = {}): Promise<void> {
    await this.#file('remove', { path: checkPath(path) }, `removing ${path}`, options);
  }

  /**
   * Streams the file `path` (a link followed): its size and mode, then its bytes as they come. More than
   * `maxBytes` is `FILE_TOO_LARGE` (at once when the size says so, or when the bytes pass it).
   */
  async readFile(
    path: string,
    options: AgentFileOptions & { maxBytes?: number; offset?: number; length?: number } = {},
  ): Promise<{ size: number; mode: number; body: AsyncIterable<Uint8Array> }> {
    const params = { path: checkPath(path), ...readRange(options), ...user(options) };
    const { call, first } = await this.#connection.open(
      'read',
      params,
      `reading ${path}`,
      'FILE_NOT_FOUND',
      options.signal,
    );
    return readBody(call, first, path, options.maxBytes);
  }

  /**
   * Writes `body` to `path` (parents created; atomically replaced unless `append`); more than `maxBytes` is
   * `FILE_TOO_LARGE` and leaves `path` untouched. Resolves to the file's size.
   */
  async writeFile(
    path: string,
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options: AgentFileOptions & { maxBytes?: number; mode?: number; append?: boolean } = {},
  ): Promise<number> {
    const params = {
      path: checkPath(path),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.append ? { append: true } : {}),
      ...user(options),
    };
    const { call, first } = await this.#connection.open(
      'write',
      params,
      `writing ${path}`,
      'FILE_NOT_FOUND',
      options.signal,
    );
    return writeBody(call, first, body, path, options.maxBytes);
  }

  /** The changes under `path` (recursive when asked) until the iteration stops or `signal` aborts. */
  async *watch(
    path: string,
    options: AgentFileOptions & { recursive?: boolean } = {},
  ): AsyncGenerator<WatchEvent> {
    const params = {
      path: checkPath(path),
      ...(options.recursive ? { recursive: true } : {}),
      ...user(options),
    };
    const { call, first } = await this.#connection.open(
      'watch',
      params,
      `watching ${path}`,
      'FILE_NOT_FOUND',
      options.signal,
    );
    try {
      if (first.kind !== FRAME.ok) throw protocolError(`watch answered frame kind ${first.kind}`);
      for (;;) {
        const frame = await call.next();
        if (frame.kind === FRAME.end) return;
        if (frame.kind !== FRAME.event) throw protocolError(`a watch sent frame kind ${frame.kind}`);
        yield toWatchEvent(jsonOf(frame.payload));
      }
    } finally {
      call.close();
    }
  }

  #file(
    op: string,
    params: Record<string, unknown>,
    doing: string,
    options: AgentFileOptions & { wholeFrame?: boolean },
  ) {
    return this.#connection.simple(op, { ...params, ...user(options) }, doing, 'FILE_NOT_FOUND', options);
  }
}
