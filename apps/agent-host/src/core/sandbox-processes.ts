import { randomUUID } from 'node:crypto';
import { agentUnavailable, fromAgentError } from './agent-errors.js';
import type { HostSandbox } from './host-adapter.js';
import type {
  AgentProcess,
  AgentProcessInfo,
  AgentStartOptions,
  ProcessAgent,
  ProcessSignal,
} from './process-agent.js';
import { ProcessDeadlines } from './process-deadlines.js';
import type { SandboxHost } from './sandbox-host.js';
import type { SandboxPolicy } from './sandbox-policy.js';
import { withClose } from './with-close.js';

/** What `start()` and `openPty()` take besides the command. */
export type StartOptions = Omit<AgentStartOptions, 'signal' | 'background' | 'tty' | 'stdin'>;

/**
 * Processes in a sandbox through its in-sandbox agent: start one in the background, list, re-attach, signal,
 * write stdin, open a terminal. Every call counts as the sandbox's activity and is aborted by the host's
 * shutdown (`SandboxHost.use`); a start is measured by the perf monitor like a command (its run ends when the
 * agent says it started). A sandbox without the agent answers `AGENT_UNAVAILABLE`; the agent's refusals become
 * the host's codes (`fromAgentError`). The host's cap on command time applies to background processes too
 * (`policy.maxExecTimeoutMs`, less when asked: the host kills them then, `ProcessDeadlines`); a terminal's route
 * closes it then.
 */
export class SandboxProcesses {
  readonly #host: SandboxHost;
  readonly #policy: Pick<SandboxPolicy, 'maxExecTimeoutMs'>;
  readonly #deadlines = new ProcessDeadlines();

  constructor(deps: { host: SandboxHost; policy: Pick<SandboxPolicy, 'maxExecTimeoutMs'> }) {
    this.#host = deps.host;
    this.#policy = deps.policy;
  }

  /** The sandbox's agent, or `AGENT_UNAVAILABLE` naming what needed it. */
  agentOf(sandbox: HostSandbox, what: string): ProcessAgent {
    if (!sandbox.agent) throw agentUnavailable(sandbox.id, what);
    return sandbox.agent;
  }

  /** Starts `cmd` in the background; resolves to its pid once the agent started it. */
  async start(
    sandbox: HostSandbox,
    cmd: readonly string[],
    options: StartOptions & { stdin?: boolean },
    signal?: AbortSignal,
  ): Promise<{ pid: number }> {
    const agent = this.agentOf(sandbox, 'a background process');
    const runId = randomUUID();
    this.#host.perfMonitor.start(sandbox.id, { runId });
    let outcome: 'success' | 'error' = 'error';
    try {
      const timeoutMs = this.#timeoutOf(options);
      const tag = `sbx-${runId}`;
      const process = await this.#call(sandbox, 'a background process', signal, async (s) => {
        await this.#deadlines.reserve(sandbox.id, agent, s);
        return agent.start(cmd, { ...options, timeoutMs, tag, background: true, signal: s });
      });
      // The host keeps no connection to it: the agent keeps its output for whoever re-attaches.
      process.close();
      this.#deadlines.arm(sandbox.id, agent, process.pid, tag, timeoutMs);
      outcome = 'success';
      return { pid: process.pid };
    } finally {
      this.#host.perfMonitor.stop(sandbox.id, { outcome, runId });
    }
  }

  /** The processes the agent lists (running, and ended background ones it keeps). */
  list(sandbox: HostSandbox, signal?: AbortSignal): Promise<AgentProcessInfo[]> {
    const agent = this.agentOf(sandbox, 'listing processes');
    return this.#call(sandbox, `the processes of sandbox ${sandbox.id}`, signal, (s) =>
      agent.ps({ signal: s }),
    );
  }

  /**
   * Re-attaches to a process: its kept output, then live output, then its end. Until the returned process is
   * closed the sandbox counts as in use, and the host's shutdown closes it.
   */
  attach(sandbox: HostSandbox, pid: number, signal?: AbortSignal): Promise<AgentProcess> {
    const agent = this.agentOf(sandbox, 'attaching to a process');
    return this.#held(sandbox, `process ${pid}`, signal, (s) => agent.attach(pid, { signal: s }));
  }

  /** Sends `sig` to a process's group. */
  signal(sandbox: HostSandbox, pid: number, sig: ProcessSignal, signal?: AbortSignal): Promise<void> {
    const agent = this.agentOf(sandbox, 'signalling a process');
    return this.#call(sandbox, `process ${pid}`, signal, (s) => agent.signal(pid, sig, { signal: s }));
  }

  /**
   * Writes to a process's standard input (it was started with stdin), closing it when `eof`: the agent's own
   * `stdin` operation answers once it has written the bytes (an attach closed right after sending could lose them).
   */
  writeStdin(
    sandbox: HostSandbox,
    pid: number,
    data: Uint8Array,
    eof: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const agent = this.agentOf(sandbox, "writing a process's stdin");
    return this.#call(sandbox, `process ${pid}`, signal, (s) =>
      agent.writeStdin(pid, data, { eof, signal: s }),
    );
  }

  /**
   * Starts `cmd` on a new terminal of `cols` x `rows`, attached to the returned process (closing it kills the
   * terminal's processes); measured like `start`.
   */
  async openPty(
    sandbox: HostSandbox,
    cmd: readonly string[],
    options: StartOptions & { cols: number; rows: number },
    signal?: AbortSignal,
  ): Promise<AgentProcess> {
    const agent = this.agentOf(sandbox, 'a terminal');
    const { cols, rows, ...rest } = options;
    const runId = randomUUID();
    this.#host.perfMonitor.start(sandbox.id, { runId });
    let outcome: 'success' | 'error' = 'error';
    try {
      const process = await this.#held(sandbox, 'a terminal', signal, (s) =>
        agent.start(cmd, { ...rest, tty: { cols, rows }, stdin: true, background: false, signal: s }),
      );
      outcome = 'success';
      return process;
    } finally {
      this.#host.perfMonitor.stop(sandbox.id, { outcome, runId });
    }
  }

  // What was asked, within the policy's command time.
  #timeoutOf(options: { timeoutMs?: number }): number {
    const cap = this.#policy.maxExecTimeoutMs;
    return Math.min(options.timeoutMs ?? cap, cap);
  }

  // Opens a process over a connection that stays open: in use (activity, shutdown) until its `close()`.
  #held(
    sandbox: HostSandbox,
    what: string,
    signal: AbortSignal | undefined,
    open: (signal: AbortSignal) => Promise<AgentProcess>,
  ): Promise<AgentProcess> {
    return new Promise<AgentProcess>((resolve, reject) => {
      this.#call(sandbox, what, signal, async (s) => {
        const process = await open(s);
        let finished = () => {};
        const closed = new Promise<void>((done) => {
          finished = done;
        });
        const close = () => {
          process.close();
          finished();
        };
        s.addEventListener('abort', close, { once: true });
        resolve(withClose(process, close));
        await closed;
        s.removeEventListener('abort', close);
      }).catch(reject);
    });
  }

  async #call<T>(
    sandbox: HostSandbox,
    what: string,
    signal: AbortSignal | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.#host.use(sandbox, fn, signal);
    } catch (error) {
      throw fromAgentError(error, what);
    }
  }
}
