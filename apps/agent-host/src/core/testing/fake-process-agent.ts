// A fake in-sandbox agent for unit tests of the process routes: it keeps processes the way PROTOCOL.md says the
// real agent does (pids, kept output, ended background processes listed, NOT_FOUND for an unknown or ended pid,
// BAD_REQUEST for an attach with stdin to a process started without it), and lets the test print and end them.
import type { ExecOptions, ExecResult } from '@sbx/bootstrap';
import type {
  AgentExit,
  AgentProcess,
  AgentProcessInfo,
  AgentStartOptions,
  ProcessAgent,
  ProcessSignal,
} from '../process-agent.js';
import {
  type FakeProcess,
  type FakeProcessOwner,
  fakeConnection,
  newFakeProcess,
} from './fake-agent-process.js';

export type { FakeProcess } from './fake-agent-process.js';

/** The real agent's ring per stream per process. */
export const FAKE_RING_BYTES = 1024 * 1024;

const SIGNAL_NUMBERS: Record<ProcessSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
};

/** An error the fake agent answers, with the protocol's code. */
export class FakeAgentError extends Error {
  constructor(
    readonly agentCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** The fake agent; `calls` counts each operation. */
export class FakeProcessAgent implements ProcessAgent, FakeProcessOwner {
  readonly processes = new Map<number, FakeProcess>();
  readonly calls: Record<string, number> = {};
  /** Every resize asked for, in order. */
  readonly resized: Array<{ pid: number; cols: number; rows: number }> = [];
  #nextPid = 100;
  /** While set, a terminal's input waits on it (a process that reads nothing). */
  stdinGate: Promise<void> | undefined;
  /** What `run` answers (default: exit 0, `ran as USER`). */
  runResult: (cmd: unknown, options: ExecOptions & { user?: string }) => ExecResult = (_, o) => ({
    exitCode: 0,
    stdout: `ran as ${o.user ?? 'root'}`,
    stderr: '',
  });

  async run(cmd: string | readonly string[], options: ExecOptions & { user?: string }): Promise<ExecResult> {
    this.#count('run');
    if (options.user === 'nobody-allowed')
      throw new FakeAgentError('PERMISSION_DENIED', 'cannot switch user');
    return this.runResult(cmd, options);
  }

  async start(cmd: readonly string[], options: AgentStartOptions = {}): Promise<AgentProcess> {
    this.#count('start');
    const pid = this.#nextPid++;
    const process = newFakeProcess(pid, cmd, options);
    this.processes.set(pid, process);
    return this.#handle(process, false);
  }

  async attach(pid: number, options: { stdin?: boolean } = {}): Promise<AgentProcess> {
    this.#count('attach');
    const process = options.stdin ? this.#stdinOf(pid) : this.#get(pid, false);
    return this.#handle(process, true);
  }

  async ps(): Promise<AgentProcessInfo[]> {
    this.#count('ps');
    return [...this.processes.values()].map((p) => ({ ...p.info }));
  }

  async signal(pid: number, signal: ProcessSignal): Promise<void> {
    this.#count('signal');
    const process = this.#get(pid, true);
    this.end(pid, { exitCode: 128 + SIGNAL_NUMBERS[signal], signal });
    void process;
  }

  async resize(pid: number, cols: number, rows: number): Promise<void> {
    this.#count('resize');
    this.#get(pid, true);
    this.resized.push({ pid, cols, rows });
  }

  /** The process prints `text` (kept within the ring, oldest dropped). */
  print(pid: number, text: string | Uint8Array, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const process = this.#get(pid, false);
    const chunk = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    process.kept.push({ stream, chunk });
    process.keptBytes += chunk.length;
    while (process.keptBytes > FAKE_RING_BYTES * 2 && process.kept.length > 1) {
      process.keptBytes -= process.kept.shift()?.chunk.length ?? 0;
      process.truncated = true;
    }
    for (const wake of process.wake) wake();
  }

  /** The process ends; a foreground one is forgotten, a background one stays listed. */
  end(pid: number, exit: AgentExit): void {
    const process = this.#get(pid, false);
    if (process.exit) return;
    process.exit = exit;
    process.info = { ...process.info, running: false, exitCode: exit.exitCode };
    if (exit.signal) process.info.signal = exit.signal;
    for (const wake of process.wake) wake();
  }

  /** Writes to the input of `pid` (started with stdin), closing it with `eof`; resolves once it took the bytes. */
  async writeStdin(pid: number, data: Uint8Array, options: { eof?: boolean } = {}): Promise<void> {
    const process = this.#stdinOf(pid);
    if (data.length > 0) await this.takeStdin(process, data);
    if (options.eof) process.stdinClosed = true;
  }

  /** Takes `data` as the input of `process` once `stdinGate` lets it (see `FakeProcessOwner`). */
  async takeStdin(process: FakeProcess, data: Uint8Array): Promise<void> {
    await this.stdinGate;
    this.#count('stdin');
    process.stdin.push(data);
  }

  #handle(process: FakeProcess, attached: boolean): AgentProcess {
    return fakeConnection(this, process, attached);
  }

  // The agent's checks on a write to a process's input: known, started with stdin, still running.
  #stdinOf(pid: number): FakeProcess {
    const process = this.#get(pid, false);
    if (!process.options.stdin)
      throw new FakeAgentError('BAD_REQUEST', `process ${pid} was started without stdin`);
    if (process.exit) throw new FakeAgentError('NOT_FOUND', `process ${pid} has ended`);
    return process;
  }

  #get(pid: number, running: boolean): FakeProcess {
    const process = this.processes.get(pid);
    if (!process || (running && process.exit)) {
      throw new FakeAgentError('NOT_FOUND', `no process ${pid}`);
    }
    return process;
  }

  #count(op: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
  }
}
