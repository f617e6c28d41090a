import type {
  ExecEvent,
  ExecRequest,
  ExitInfo,
  FileEntry,
  LogEvent,
  ProcessInfo,
  SandboxInfo,
} from './api-types.js';
import { SbxError } from './errors.js';
import { call, callJson, type Transport } from './http.js';
import { fromBase64, readNdjson } from './ndjson.js';
import { listProcesses, ProcessHandle } from './process-handle.js';
import { openTerminal, type Terminal, type TerminalOptions } from './terminal.js';

/** Options of `sandbox.exec()`. */
export interface ExecOptions {
  /** Each piece of stdout as it arrives: its text (UTF-8) and its exact bytes. */
  onStdout?: (text: string, bytes: Uint8Array) => void;
  onStderr?: (text: string, bytes: Uint8Array) => void;
  /** Aborting it disconnects, which aborts the command in the sandbox. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** Its working directory (absolute). */
  cwd?: string;
  /** Added to its environment. */
  env?: Record<string, string>;
  /** Who runs it: `name`, `uid` or `uid:gid` (needs the in-sandbox agent). */
  user?: string;
}

/** Options of `sandbox.startProcess()`: like `exec`'s, without the callbacks. */
export type StartOptions = Pick<ExecOptions, 'timeoutMs' | 'stdin' | 'cwd' | 'env' | 'user' | 'signal'>;

/** How a command ended, and what it printed (text, within the server's output cap). */
export interface ExecResult extends ExitInfo {
  stdout: string;
  stderr: string;
}

/** Options of `sandbox.logs()`. */
export interface LogsOptions {
  /** Keep streaming new output until the sandbox ends or `signal` aborts. */
  follow?: boolean;
  /** Only the last this many lines so far. */
  tail?: number;
  onStdout?: (text: string, bytes: Uint8Array) => void;
  onStderr?: (text: string, bytes: Uint8Array) => void;
  signal?: AbortSignal;
}

/** A sandbox's files, reached inside it. Paths are absolute. */
export interface SandboxFiles {
  /** Writes a file (parents created; `mode` default 0o644). */
  write(
    path: string,
    data: string | Uint8Array,
    options?: { mode?: number; signal?: AbortSignal },
  ): Promise<void>;
  /** Reads a file's bytes. */
  read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Reads a file as UTF-8 text. */
  readText(path: string, options?: { signal?: AbortSignal }): Promise<string>;
  /** The entries of a directory. */
  list(
    path: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ entries: FileEntry[]; truncated: boolean }>;
  /** Unpacks a tar archive into a directory (created if missing). */
  writeTar(path: string, tar: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>;
  /** A tar archive of a directory (names relative to it) or of a file. */
  readTar(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

const decoder = () => new TextDecoder();
const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

/** A sandbox on an sbx host: run commands in it, move files, read its output, kill it (`await using` kills it too). */
export class Sandbox {
  /** The sandbox id. */
  readonly id: string;
  /** Its files. */
  readonly files: SandboxFiles;
  readonly #transport: Transport;
  readonly #path: string;

  constructor(transport: Transport, id: string) {
    this.#transport = transport;
    this.id = id;
    this.#path = `/v1/sandboxes/${encodeURIComponent(id)}`;
    this.files = this.#filesApi();
  }

  /**
   * Runs a command (a string runs with `sh -c`), streaming its output to `onStdout`/`onStderr` as it arrives;
   * resolves when it ends, also when it fails or times out (see `outcome`). Rejects with `SbxError` when the
   * sandbox is gone or the host fails.
   */
  async exec(cmd: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const body = execBody(cmd, options);
    const response = await call(this.#transport, `${this.#path}/exec`, {
      method: 'POST',
      body,
      accept: 'application/x-ndjson',
      signal: options.signal,
    });
    const text = { stdout: decoder(), stderr: decoder() };
    const out = { stdout: '', stderr: '' };
    for await (const event of readNdjson<ExecEvent>(response.body)) {
      if ('exit' in event) {
        const { error, ...exit } = event.exit;
        if (error) throw new SbxError(error.code, error.message, { status: response.status });
        return {
          ...exit,
          stdout: out.stdout + text.stdout.decode(),
          stderr: out.stderr + text.stderr.decode(),
        };
      }
      const bytes =
        event.encoding === 'base64' ? fromBase64(event.data) : new TextEncoder().encode(event.data);
      const piece =
        event.encoding === 'base64' ? text[event.stream].decode(bytes, { stream: true }) : event.data;
      out[event.stream] += piece;
      (event.stream === 'stdout' ? options.onStdout : options.onStderr)?.(piece, bytes);
    }
    throw new SbxError('STREAM_ENDED', `the output of ${JSON.stringify(cmd)} ended without an exit line`);
  }

  /**
   * Starts a command in the background through the in-sandbox agent (409 `AGENT_UNAVAILABLE` without it): it
   * outlives this client; its output is kept for whoever follows it (`wait()`), and it can be signalled and fed.
   */
  async startProcess(cmd: string | string[], options: StartOptions = {}): Promise<ProcessHandle> {
    const { pid } = await callJson<{ pid: number }>(this.#transport, `${this.#path}/exec`, {
      method: 'POST',
      body: { ...execBody(cmd, options), background: true },
      signal: options.signal,
    });
    return new ProcessHandle(this.#transport, this.#path, pid);
  }

  /** A handle on a process started earlier (by any client): follow, signal or feed it again. No call is made. */
  reconnect(pid: number): ProcessHandle {
    return new ProcessHandle(this.#transport, this.#path, pid);
  }

  /** Its processes: running ones, and ended background ones kept with their output. */
  processes(options: { signal?: AbortSignal } = {}): Promise<ProcessInfo[]> {
    return listProcesses(this.#transport, this.#path, options.signal);
  }

  /** Opens a terminal (a PTY running `sh`, or `cmd`) over a WebSocket. */
  terminal(options: TerminalOptions): Promise<Terminal> {
    return openTerminal(this.#transport, this.#path, options);
  }

  /** Its own output (the main process's): collected text, and streamed to the callbacks as it arrives. */
  async logs(options: LogsOptions = {}): Promise<{ stdout: string; stderr: string; truncated: boolean }> {
    const query = new URLSearchParams();
    if (options.follow) query.set('follow', '1');
    if (options.tail) query.set('tail', String(options.tail));
    const response = await call(this.#transport, `${this.#path}/logs?${query}`, { signal: options.signal });
    const out = { stdout: '', stderr: '' };
    try {
      for await (const event of readNdjson<LogEvent>(response.body)) {
        if ('end' in event) return { ...out, truncated: event.end.truncated };
        const bytes =
          event.encoding === 'base64' ? fromBase64(event.data) : new TextEncoder().encode(event.data);
        const piece = event.encoding === 'base64' ? decoder().decode(bytes) : event.data;
        out[event.stream] += piece;
        (event.stream === 'stdout' ? options.onStdout : options.onStderr)?.(piece, bytes);
      }
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    }
    return { ...out, truncated: false };
  }

  /** What the host says about it (state, image, pool, created, expires). */
  info(options: { signal?: AbortSignal } = {}): Promise<SandboxInfo> {
    return callJson<SandboxInfo>(this.#transport, this.#path, { signal: options.signal });
  }

  /** Moves its expiry to `ttlMs` from now (within the host's cap); resolves to the new expiry. */
  async extendTtl(ttlMs: number): Promise<Date> {
    const { expiresAt } = await callJson<{ expiresAt: string }>(this.#transport, `${this.#path}/ttl`, {
      method: 'POST',
      body: { ttlMs },
    });
    return new Date(expiresAt);
  }

  /** Removes it; a sandbox already gone counts as killed. */
  async kill(): Promise<void> {
    try {
      await call(this.#transport, this.#path, { method: 'DELETE' });
    } catch (error) {
      if (!(error instanceof SbxError) || (error.status !== 404 && error.status !== 410)) throw error;
    }
  }

  /** `await using sandbox = await client.sandboxes.create(...)` kills it at the end of the scope. */
  [asyncDispose](): Promise<void> {
    return this.kill();
  }

  #filesApi(): SandboxFiles {
    const url = (path: string, extra = '') => `${this.#path}/files?path=${encodeURIComponent(path)}${extra}`;
    const t = this.#transport;
    const bytes = async (response: Response) => new Uint8Array(await response.arrayBuffer());
    return {
      write: async (path, data, options = {}) => {
        const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        const mode = options.mode === undefined ? '' : `&mode=${options.mode.toString(8)}`;
        await call(t, url(path, mode), {
          method: 'PUT',
          body,
          contentType: 'application/octet-stream',
          signal: options.signal,
        });
      },
      read: async (path, options = {}) => bytes(await call(t, url(path), { signal: options.signal })),
      readText: async (path, options = {}) =>
        decoder().decode(await bytes(await call(t, url(path), { signal: options.signal }))),
      list: async (path, options = {}) => {
        const listed = await callJson<{ entries: FileEntry[]; truncated: boolean }>(t, url(path, '&list=1'), {
          signal: options.signal,
        });
        return { entries: listed.entries, truncated: listed.truncated };
      },
      writeTar: async (path, tar, options = {}) => {
        await call(t, url(path), {
          method: 'PUT',
          body: tar,
          contentType: 'application/x-tar',
          signal: options.signal,
        });
      },
      readTar: async (path, options = {}) =>
        bytes(await call(t, url(path), { accept: 'application/x-tar', signal: options.signal })),
    };
  }
}

function execBody(cmd: string | string[], options: StartOptions): ExecRequest {
  const body: ExecRequest = { cmd, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  if (options.stdin !== undefined) body.stdin = options.stdin;
  if (options.cwd !== undefined) body.cwd = options.cwd;
  if (options.env !== undefined) body.env = options.env;
  if (options.user !== undefined) body.user = options.user;
  return body;
}
