// A fake in-sandbox agent for unit tests of the process routes: it keeps processes the way PROTOCOL.md says the
// real agent does (pids, kept output, ended background processes listed, NOT_FOUND for an unknown or ended pid,
// BAD_REQUEST for an attach with stdin to a process started without it), and lets the test print and end them.
import type { ExecOptions, ExecResult } from '@sbx/bootstrap';
import type {
  AgentExit,
  AgentOutputChunk,
  AgentProcess,
  AgentProcessInfo,
  AgentStartOptions,
  ProcessAgent,
  ProcessSignal,
} from '../process-agent.js';

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

/** One process the fake keeps. */
export interface FakeProcess {
  info: AgentProcessInfo;
  options: AgentStartOptions;
  kept: AgentOutputChunk[];
  keptBytes: number;
  truncated: boolean;
  stdin: Uint8Array[];
  stdinClosed: boolean;
  exit?: AgentExit;
  wake: Set<() => void>;
  resizes: Array<{ cols: number; rows: number }>;
  /** Connections open to it (starts and attaches not yet closed). */
  open: number;
}

/** The fake agent; `calls` counts each operation. */
export class FakeProcessAgent implements ProcessAgent {
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
    const process: FakeProcess = {
      info: {
        pid,
        cmd: [...cmd],
        tty: options.tty !== undefined,
        background: options.background ?? false,
        startedAtMs: Date.now(),
        running: true,
        ...(options.tag ? { tag: options.tag } : {}),
      },
      options,
      kept: [],
      keptBytes: 0,
      truncated: false,
      stdin: [],
      stdinClosed: false,
      wake: new Set(),
      resizes: [],
      open: 0,
    };
    this.processes.set(pid, process);
    return this.#handle(process, false);
  }

  async attach(pid: number, options: { stdin?: boolean } = {}): Promise<AgentProcess> {
    this.#count('attach');
    const process = this.#get(pid, false);
    if (options.stdin && !process.options.stdin) {
      throw new FakeAgentError('BAD_REQUEST', `process ${pid} was started without stdin`);
    }
    if (options.stdin && process.exit) throw new FakeAgentError('NOT_FOUND', `process ${pid} has ended`);
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

  #handle(process: FakeProcess, attached: boolean): AgentProcess {
    process.open += 1;
    let closed = false;
    const pid = process.info.pid;
    return {
      pid,
      ...(attached ? { truncated: process.truncated } : {}),
      output: () => this.#output(process, () => closed),
      wait: () =>
        new Promise<AgentExit>((resolve) => {
          const check = () => process.exit && resolve(process.exit);
          if (!check()) process.wake.add(() => check());
        }),
      sendStdin: async (data) => {
        await this.stdinGate;
        this.#count('stdin');
        process.stdin.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      },
      closeStdin: async () => {
        process.stdinClosed = true;
      },
      signal: (signal) => this.signal(pid, signal),
      resize: async (cols, rows) => {
        process.resizes.push({ cols, rows });
      },
      close: () => {
        if (closed) return;
        closed = true;
        process.open -= 1;
        for (const wake of process.wake) wake();
        // A foreground process dies with its connection (the real agent sends SIGKILL to its group).
        if (!process.info.background && !process.exit) this.end(pid, { exitCode: 137, signal: 'SIGKILL' });
      },
    };
  }

  async *#output(process: FakeProcess, closed: () => boolean): AsyncGenerator<AgentOutputChunk> {
    let index = 0;
    for (;;) {
      while (index < process.kept.length) yield process.kept[index++] as AgentOutputChunk;
      if (process.exit || closed()) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          process.wake.delete(wake);
          resolve();
        };
        process.wake.add(wake);
      });
    }
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
