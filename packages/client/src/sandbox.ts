import type { ExecRequest, ExitInfo, LogEvent, PreviewUrl, ProcessInfo, SandboxInfo } from './api-types.js';
import { collectOutput } from './collect-output.js';
import { SbxError } from './errors.js';
import { call, callJson, type Transport } from './http.js';
import { fromBase64, readNdjson } from './ndjson.js';
import { listProcesses, ProcessHandle } from './process-handle.js';
import { type SandboxFiles, sandboxFiles } from './sandbox-files.js';
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
    this.files = sandboxFiles(transport, this.#path);
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
    return collectOutput<ExitInfo>(response, { ...options, what: JSON.stringify(cmd) });
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

  /**
   * A signed URL of `port` inside the sandbox (a server the sandbox started on its loopback), for a browser:
   * valid `ttlSeconds` (default 3,600, at most 86,400), no token needed. Needs the in-sandbox agent.
   */
  async getHostUrl(
    port: number,
    options: { ttlSeconds?: number; signal?: AbortSignal } = {},
  ): Promise<string> {
    const { url } = await callJson<PreviewUrl>(this.#transport, `${this.#path}/ports/${port}/url`, {
      method: 'POST',
      body: options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds },
      signal: options.signal,
    });
    return url;
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
}

function execBody(cmd: string | string[], options: StartOptions): ExecRequest {
  const body: ExecRequest = { cmd, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  if (options.stdin !== undefined) body.stdin = options.stdin;
  if (options.cwd !== undefined) body.cwd = options.cwd;
  if (options.env !== undefined) body.env = options.env;
  if (options.user !== undefined) body.user = options.user;
  return body;
}
