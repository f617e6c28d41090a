import type { ProcessInfo, ProcessOutputEvent } from './api-types.js';
import { collectOutput } from './collect-output.js';
import { call, callJson, type Transport } from './http.js';

/** A signal `kill()` may send (to the process's whole group). */
export type ProcessSignal = 'SIGTERM' | 'SIGKILL' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2';

/** Options of `process.wait()`. */
export interface WaitOptions {
  /** Each piece of stdout as it arrives (the kept output first): its text and its exact bytes. */
  onStdout?: (text: string, bytes: Uint8Array) => void;
  onStderr?: (text: string, bytes: Uint8Array) => void;
  /** Aborting it stops following (the process goes on). */
  signal?: AbortSignal;
}

/** How a process ended, and its output as followed (the kept output lost its start when `truncated`). */
export interface ProcessExit {
  exitCode: number;
  /** The signal that killed it, e.g. `SIGKILL`. */
  signal?: string;
  timedOut?: boolean;
  truncated: boolean;
  stdout: string;
  stderr: string;
}

/**
 * A process running in a sandbox through its in-sandbox agent (started with `sandbox.startProcess()`, or found
 * again with `sandbox.reconnect(pid)`): it outlives the client; follow it, signal it, write its stdin.
 */
export class ProcessHandle {
  /** Its pid inside the sandbox. */
  readonly pid: number;
  readonly #transport: Transport;
  readonly #path: string;

  constructor(transport: Transport, sandboxPath: string, pid: number) {
    this.#transport = transport;
    this.pid = pid;
    this.#path = `${sandboxPath}/processes/${pid}`;
  }

  /**
   * Follows its output (what was kept since it started, then live) until it ends; resolves to how it ended.
   * Any number of clients may follow one process at once, one after the other, or again later.
   */
  async wait(options: WaitOptions = {}): Promise<ProcessExit> {
    const response = await call(this.#transport, `${this.#path}/output`, { signal: options.signal });
    return collectOutput<Extract<ProcessOutputEvent, { exit: unknown }>['exit']>(response, {
      ...options,
      what: `process ${this.pid}`,
    });
  }

  /** Sends `signal` (default `SIGKILL`) to its process group. */
  async kill(signal: ProcessSignal = 'SIGKILL', options: { signal?: AbortSignal } = {}): Promise<void> {
    await call(this.#transport, `${this.#path}/signal`, {
      method: 'POST',
      body: { signal },
      signal: options.signal,
    });
  }

  /** Writes to its standard input (at most 1 MiB a call). */
  async sendStdin(data: string | Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#stdin(
      typeof data === 'string' ? new TextEncoder().encode(data) : data,
      false,
      options.signal,
    );
  }

  /** Closes its standard input (it reads end of file). */
  async closeStdin(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#stdin(new Uint8Array(0), true, options.signal);
  }

  async #stdin(bytes: Uint8Array, eof: boolean, signal: AbortSignal | undefined): Promise<void> {
    await call(this.#transport, `${this.#path}/stdin${eof ? '?eof=true' : ''}`, {
      method: 'POST',
      body: bytes,
      contentType: 'application/octet-stream',
      signal,
    });
  }
}

/** The processes of a sandbox as its agent lists them. */
export async function listProcesses(
  transport: Transport,
  sandboxPath: string,
  signal?: AbortSignal,
): Promise<ProcessInfo[]> {
  const listed = await callJson<{ processes: ProcessInfo[] }>(transport, `${sandboxPath}/processes`, {
    signal,
  });
  return listed.processes;
}
