// One process the fake in-sandbox agent keeps, and the connection (`AgentProcess`) a start or an attach opens to
// it: kept output first, then live output until it ends or the connection closes; closing a foreground one
// kills it, as the real agent does.
import type {
  AgentExit,
  AgentOutputChunk,
  AgentProcess,
  AgentProcessInfo,
  AgentStartOptions,
  ProcessSignal,
} from '../process-agent.js';

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

/** What a connection needs of the fake agent that keeps the process. */
export interface FakeProcessOwner {
  /** Waits (a process that reads nothing), then takes `data` as the process's input. */
  takeStdin(process: FakeProcess, data: Uint8Array): Promise<void>;
  signal(pid: number, signal: ProcessSignal): Promise<void>;
  end(pid: number, exit: AgentExit): void;
}

/** A process just started with `cmd` and `options` as `pid`. */
export function newFakeProcess(pid: number, cmd: readonly string[], options: AgentStartOptions): FakeProcess {
  return {
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
}

/** Opens a connection to `process` (an attach when `attached`: it says whether the kept output was cut). */
export function fakeConnection(
  owner: FakeProcessOwner,
  process: FakeProcess,
  attached: boolean,
): AgentProcess {
  process.open += 1;
  let closed = false;
  const pid = process.info.pid;
  return {
    pid,
    ...(attached ? { truncated: process.truncated } : {}),
    output: () => fakeOutput(process, () => closed),
    wait: () =>
      new Promise<AgentExit>((resolve) => {
        const check = () => process.exit && resolve(process.exit);
        if (!check()) process.wake.add(() => check());
      }),
    sendStdin: (data) =>
      owner.takeStdin(process, typeof data === 'string' ? new TextEncoder().encode(data) : data),
    closeStdin: async () => {
      process.stdinClosed = true;
    },
    signal: (signal) => owner.signal(pid, signal),
    resize: async (cols, rows) => {
      process.resizes.push({ cols, rows });
    },
    close: () => {
      if (closed) return;
      closed = true;
      process.open -= 1;
      for (const wake of process.wake) wake();
      // A foreground process dies with its connection (the real agent sends SIGKILL to its group).
      if (!process.info.background && !process.exit) owner.end(pid, { exitCode: 137, signal: 'SIGKILL' });
    },
  };
}

async function* fakeOutput(process: FakeProcess, closed: () => boolean): AsyncGenerator<AgentOutputChunk> {
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
