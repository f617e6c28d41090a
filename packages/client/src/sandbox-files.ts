import type { FilePathEntry, WatchEvent } from './api-types.js';
import { call, callJson, type Transport } from './http.js';
import { readNdjson } from './ndjson.js';

/** Options every file call takes. */
export interface FileCallOptions {
  signal?: AbortSignal;
  /** Runs the call as this user inside the sandbox (`name`, `uid` or `uid:gid`); needs the in-sandbox agent. */
  user?: string;
}

/** A sandbox's files, reached inside it. Paths are absolute. */
export interface SandboxFiles {
  /** Writes a file (parents created; `mode` default 0o644). */
  write(
    path: string,
    data: string | Uint8Array,
    options?: FileCallOptions & { mode?: number },
  ): Promise<void>;
  /**
   * Streams `body` into a file without holding it in memory (through the in-sandbox agent; the host's
   * `maxFileBytes` applies). Resolves to the bytes written.
   */
  writeStream(
    path: string,
    body: ReadableStream<Uint8Array>,
    options?: FileCallOptions & { mode?: number },
  ): Promise<number>;
  /** Reads a file's bytes. */
  read(path: string, options?: FileCallOptions): Promise<Uint8Array>;
  /** A file's bytes as a stream, read as they arrive. */
  readStream(path: string, options?: FileCallOptions): Promise<ReadableStream<Uint8Array>>;
  /** Reads a file as UTF-8 text. */
  readText(path: string, options?: FileCallOptions): Promise<string>;
  /** What is at `path` (a link is reported as a link); rejects with `FILE_NOT_FOUND` when nothing is there. */
  stat(path: string, options?: FileCallOptions): Promise<FilePathEntry>;
  /** The entries of a directory, depth-first to `depth` (1..16, default 1). */
  list(
    path: string,
    options?: FileCallOptions & { depth?: number },
  ): Promise<{ entries: FilePathEntry[]; truncated: boolean }>;
  /** `mkdir -p`; resolves to whether it was created. */
  mkdir(path: string, options?: FileCallOptions & { mode?: number }): Promise<boolean>;
  /** Renames `from` to `to` (parents of `to` created). */
  move(from: string, to: string, options?: FileCallOptions): Promise<void>;
  /** Removes a file or a directory with everything in it. */
  remove(path: string, options?: FileCallOptions): Promise<void>;
  /** The changes under `path` as they happen, until `signal` aborts or the loop stops. */
  watch(path: string, options?: FileCallOptions & { recursive?: boolean }): AsyncIterable<WatchEvent>;
  /** Unpacks a tar archive into a directory (created if missing). */
  writeTar(path: string, tar: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>;
  /** A tar archive of a directory (names relative to it) or of a file. */
  readTar(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

/** The files API of the sandbox at `base` (`/v1/sandboxes/ID`). */
export function sandboxFiles(t: Transport, base: string): SandboxFiles {
  const url = (route: string, query: Record<string, string | number | boolean | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return `${base}/files${route}?${params}`;
  };
  const bytes = async (response: Response) => new Uint8Array(await response.arrayBuffer());
  const mode = (m: number | undefined) => (m === undefined ? undefined : m.toString(8).padStart(3, '0'));
  const readResponse = (path: string, options: FileCallOptions) =>
    call(t, url('', { path, user: options.user }), { signal: options.signal });
  const files: SandboxFiles = {
    write: async (path, data, options = {}) => {
      const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      await call(t, url('', { path, mode: mode(options.mode), user: options.user }), {
        method: 'PUT',
        body,
        contentType: 'application/octet-stream',
        signal: options.signal,
      });
    },
    writeStream: async (path, body, options = {}) => {
      const written = await callJson<{ bytes: number }>(
        t,
        url('', { path, mode: mode(options.mode), user: options.user }),
        { method: 'PUT', body, contentType: 'application/octet-stream', signal: options.signal },
      );
      return written.bytes;
    },
    read: async (path, options = {}) => bytes(await readResponse(path, options)),
    readStream: async (path, options = {}) => {
      const response = await readResponse(path, options);
      return response.body ?? new ReadableStream({ start: (c) => c.close() });
    },
    readText: async (path, options = {}) => new TextDecoder().decode(await files.read(path, options)),
    stat: (path, options = {}) =>
      callJson<FilePathEntry>(t, url('/stat', { path, user: options.user }), { signal: options.signal }),
    list: async (path, options = {}) => {
      const listed = await callJson<{ entries: FilePathEntry[]; truncated: boolean }>(
        t,
        url('/list', { path, depth: options.depth, user: options.user }),
        { signal: options.signal },
      );
      return { entries: listed.entries, truncated: listed.truncated };
    },
    mkdir: async (path, options = {}) =>
      (
        await callJson<{ created: boolean }>(t, `${base}/files/mkdir`, {
          method: 'POST',
          body: {
            path,
            ...(options.mode === undefined ? {} : { mode: mode(options.mode) }),
            ...user(options),
          },
          signal: options.signal,
        })
      ).created,
    move: async (from, to, options = {}) => {
      await call(t, `${base}/files/move`, {
        method: 'POST',
        body: { from, to, ...user(options) },
        signal: options.signal,
      });
    },
    remove: async (path, options = {}) => {
      await call(t, url('', { path, user: options.user }), { method: 'DELETE', signal: options.signal });
    },
    watch: (path, options = {}) => ({
      async *[Symbol.asyncIterator]() {
        const query = { path, recursive: options.recursive ? 1 : undefined, user: options.user };
        const response = await call(t, url('/watch', query), { signal: options.signal });
        try {
          yield* readNdjson<WatchEvent>(response.body);
        } catch (error) {
          if (!options.signal?.aborted) throw error;
        }
      },
    }),
    writeTar: async (path, tar, options = {}) => {
      await call(t, url('', { path }), {
        method: 'PUT',
        body: tar,
        contentType: 'application/x-tar',
        signal: options.signal,
      });
    },
    readTar: async (path, options = {}) =>
      bytes(await call(t, url('', { path }), { accept: 'application/x-tar', signal: options.signal })),
  };
  return files;
}

function user(options: FileCallOptions): { user?: string } {
  return options.user === undefined ? {} : { user: options.user };
}
