import type { AgentCall } from './agent-call.js';
import { writeStdin } from './agent-run.js';
import { unavailable } from './agent-transport.js';
import { type AgentExit, type AgentSignal, toExit } from './agent-types.js';
import { FRAME, jsonPayload, MAX_DATA_CHUNK_BYTES, protocolError } from './frame-codec.js';

/** One piece of a process's output. */
export interface AgentOutput {
  stream: 'stdout' | 'stderr';
  chunk: Uint8Array;
}

/** What a process handle needs of its agent for operations on their own connections. */
export interface ProcessOps {
  signal(pid: number, signal: AgentSignal): Promise<void>;
  resize(pid: number, cols: number, rows: number): Promise<void>;
}

/**
 * A process in the sandbox, reached through one connection (a `start` or an `attach`): its output as it comes
 * (one reader; reading pauses while the reader is behind), its exit, stdin (when opened with it), signals and
 * resizes. Closing the handle never kills a background process; a foreground one is killed by the agent.
 */
export class AgentProcess {
  /** The pid inside the sandbox. */
  readonly pid: number;
  /** For an attach: some of the kept output was dropped before it (the ring was full). */
  readonly truncated: boolean;
  readonly #call: AgentCall;
  readonly #ops: ProcessOps;
  #exit: Promise<AgentExit> | undefined;
  #reading = false;
  #resolveExit: ((exit: AgentExit) => void) | undefined;
  #rejectExit: ((error: unknown) => void) | undefined;

  constructor(init: { pid: number; truncated?: boolean; call: AgentCall; ops: ProcessOps }) {
    this.pid = init.pid;
    this.truncated = init.truncated ?? false;
    this.#call = init.call;
    this.#ops = init.ops;
  }

  /** The output until the process ends (once; `wait()` then resolves with its exit). */
  async *output(): AsyncGenerator<AgentOutput> {
    if (this.#reading) throw new Error('the output of an AgentProcess has one reader');
    this.#reading = true;
    const exit = this.#exitPromise();
    try {
      for (;;) {
        const frame = await this.#call.next();
        if (frame.kind === FRAME.end) {
          this.#resolveExit?.(toExit(jsonPayload(frame)));
          return;
        }
        if (frame.kind !== FRAME.stdout && frame.kind !== FRAME.stderr) {
          throw protocolError(`a process sent frame kind ${frame.kind}`);
        }
        yield { stream: frame.kind === FRAME.stdout ? 'stdout' : 'stderr', chunk: frame.payload };
      }
    } catch (error) {
      this.#rejectExit?.(error);
      throw error;
    } finally {
      this.#call.close();
      // Settles nothing when the exit came; else `wait()` learns that nobody will see it.
      this.#rejectExit?.(unavailable(`output of process ${this.pid} no longer read before it ended`));
      void exit.catch(() => {});
    }
  }

  /** Resolves with the exit; reads (and drops) the output when nobody reads it. */
  async wait(): Promise<AgentExit> {
    const exit = this.#exitPromise();
    if (!this.#reading) for await (const _ of this.output());
    return exit;
  }

  /** Writes to the process's stdin (it must have been started or attached with `stdin: true`). */
  async sendStdin(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < bytes.byteLength; at += MAX_DATA_CHUNK_BYTES) {
      await this.#call.send(FRAME.stdin, bytes.subarray(at, at + MAX_DATA_CHUNK_BYTES));
    }
  }

  /** Closes the process's stdin (on a PTY: sends ^D). */
  closeStdin(): Promise<void> {
    return writeStdin(this.#call, new Uint8Array(0));
  }

  /** Sends `signal` to the process group. */
  signal(signal: AgentSignal = 'SIGTERM'): Promise<void> {
    return this.#ops.signal(this.pid, signal);
  }

  /** Resizes the process's terminal. */
  resize(cols: number, rows: number): Promise<void> {
    return this.#ops.resize(this.pid, cols, rows);
  }

  /** Stops reading (a foreground process is then killed by the agent; a background one keeps running). */
  close(): void {
    this.#call.close();
  }

  #exitPromise(): Promise<AgentExit> {
    this.#exit ??= new Promise<AgentExit>((resolve, reject) => {
      this.#resolveExit = resolve;
      this.#rejectExit = reject;
    });
    return this.#exit;
  }
}
