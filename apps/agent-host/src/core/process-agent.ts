import type { ExecOptions, ExecResult } from '@sbx/bootstrap';

/** The signals a caller may send to a process in a sandbox (to its whole process group). */
export const PROCESS_SIGNALS = [
  'SIGTERM',
  'SIGKILL',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const;

/** One of `PROCESS_SIGNALS`. */
export type ProcessSignal = (typeof PROCESS_SIGNALS)[number];

/** How a process is started through the in-sandbox agent. */
export interface AgentStartOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** `name`, `uid` or `uid:gid`: the agent must run as root to switch. */
  user?: string;
  /** Runs it on a new terminal of this size (its output is one stream, `stdout`). */
  tty?: { cols: number; rows: number };
  /** The host may write its standard input (otherwise it is /dev/null). */
  stdin?: boolean;
  /** The agent kills its process group after this long (protocol v1 `run.timeoutMs`). */
  timeoutMs?: number;
  /** It outlives the connection that started it; its output is kept (a ring per stream) for re-attaching. */
  background?: boolean;
  tag?: string;
  signal?: AbortSignal;
}

/** How a process ended. */
export interface AgentExit {
  exitCode: number;
  /** The signal that killed it, e.g. `SIGKILL`. */
  signal?: string;
  timedOut?: boolean;
}

/** A process the agent lists (running, or ended in the background and still kept). */
export interface AgentProcessInfo {
  pid: number;
  cmd: string[];
  tag?: string;
  tty: boolean;
  background: boolean;
  startedAtMs: number;
  running: boolean;
  exitCode?: number;
  signal?: string;
}

/** One piece of a process's output. */
export interface AgentOutputChunk {
  stream: 'stdout' | 'stderr';
  chunk: Uint8Array;
}

/** A process started or re-attached over one agent connection. */
export interface AgentProcess {
  readonly pid: number;
  /** On an attach: the kept output lost some of its start (the ring overflowed). */
  readonly truncated?: boolean;
  /** Its output as it arrives (kept output first on an attach); the iteration waits for its reader. */
  output(): AsyncIterable<AgentOutputChunk>;
  /** Resolves when it ends. */
  wait(): Promise<AgentExit>;
  sendStdin(data: Uint8Array): Promise<void>;
  closeStdin(): Promise<void>;
  signal(signal: ProcessSignal): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Closes the connection: a foreground process is killed, a background one goes on. */
  close(): void;
}

/**
 * What the host needs of a sandbox's in-sandbox agent for processes (a port: bootstrap's `SandboxAgent` fits it
 * as it is; the unit tests hand in a fake). Every call rejects with an error whose agent code
 * `agentErrorCode()` reads (`NOT_FOUND`, `PERMISSION_DENIED`, `LIMIT`, ...).
 */
export interface ProcessAgent {
  /** Runs a command to its end, like `HostSandbox.exec`, with a user to run it as. */
  run(cmd: string | readonly string[], options: ExecOptions & { user?: string }): Promise<ExecResult>;
  start(cmd: readonly string[], options?: AgentStartOptions): Promise<AgentProcess>;
  attach(pid: number, options?: { stdin?: boolean; signal?: AbortSignal }): Promise<AgentProcess>;
  ps(options?: { signal?: AbortSignal }): Promise<AgentProcessInfo[]>;
  signal(pid: number, signal: ProcessSignal, options?: { signal?: AbortSignal }): Promise<void>;
  /** Resizes the terminal of process `pid`. */
  resize(pid: number, cols: number, rows: number, options?: { signal?: AbortSignal }): Promise<void>;
  /** Writes to the standard input of `pid` and, with `eof`, closes it; resolves once written (bootstrap's). */
  writeStdin(pid: number, data: Uint8Array, options?: { eof?: boolean; signal?: AbortSignal }): Promise<void>;
}
