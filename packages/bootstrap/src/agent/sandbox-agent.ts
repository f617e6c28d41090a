import { BootstrapError } from '../errors.js';
import type { ExecOptions, ExecResult } from '../sandbox-adapter.js';
import type { AgentCall } from './agent-call.js';
import { AgentConnection } from './agent-connection.js';
import type { AgentProcess } from './agent-process.js';
import { AgentProcesses } from './agent-processes.js';
import { checkCmd, runParams } from './agent-requests.js';
import { collectRun, notStarted } from './agent-run.js';
import type { AgentTransport } from './agent-transport.js';
import { type AgentExit, type AgentHello, toHello } from './agent-types.js';
import { FRAME, protocolError } from './frame-codec.js';
import { AgentPortStream } from './port-stream.js';

/** Options of a `SandboxAgent`. */
export interface SandboxAgentOptions {
  transport: AgentTransport;
  /** The sandbox's id, for messages. */
  sandboxId?: string;
  /** The first answer of every operation must come within this many milliseconds; default 10,000. */
  answerTimeoutMs?: number;
}

/** Options of a command run to its end through the agent: `ExecOptions` plus the user it runs as. */
export interface AgentRunOptions extends ExecOptions {
  /** `name`, `uid` or `uid:gid`; default the sandbox's user. */
  user?: string;
}

/**
 * The host's client of the in-sandbox agent (`sbx-agent`): one method per operation of protocol v1, each on its
 * own connection, with a timeout on the first answer, an abort signal, and every field the agent sends checked
 * (a lying or flooding agent hurts only its own sandbox's calls).
 *
 * @example
 * const agent = new SandboxAgent({ transport: new UnixSocketTransport('/var/lib/sbx/agents/sbx-1/agent.sock') });
 * const { exitCode, stdout } = await agent.run(['echo', 'hi'], { timeoutMs: 5_000 });
 */
export class SandboxAgent extends AgentProcesses {
  readonly #connection: AgentConnection;

  constructor(options: SandboxAgentOptions) {
    const connection = new AgentConnection(options);
    super(connection);
    this.#connection = connection;
  }

  /** The agent's version, operations, pid and uid. */
  async hello(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AgentHello> {
    const json = await this.#connection.simple('hello', {}, 'saying hello', 'AGENT_REFUSED', options);
    return toHello(json);
  }

  /**
   * Runs a command to its end (a string runs with `sh -c`): the same `ExecResult` as Docker exec. A command that
   * cannot start is exit 127 (not found) or 126 (not allowed). Rejects with `EXEC_TIMEOUT` after `timeoutMs`
   * and `ABORTED` on `signal` (the agent then kills the command's process group).
   */
  async run(cmd: string | readonly string[], options: AgentRunOptions = {}): Promise<ExecResult> {
    const argv = checkCmd(cmd);
    const controller = new AbortController();
    const { timeoutMs, signal } = options;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => controller.abort(this.#stopped('EXEC_TIMEOUT', argv, `timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
    const onAbort = () => controller.abort(this.#stopped('ABORTED', argv, 'aborted', signal?.reason));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const params = runParams(argv, {
        ...options,
        stdin: options.stdin !== undefined,
        ...(options.workingDir ? { cwd: options.workingDir } : {}),
      });
      let opened: { call: AgentCall; first: { kind: number } };
      try {
        opened = await this.#connection.open(
          'run',
          params,
          `running ${JSON.stringify(argv[0])}`,
          'AGENT_REFUSED',
          controller.signal,
        );
      } catch (error) {
        const result = notStarted(error);
        if (result) return result;
        throw error;
      }
      const { call, first } = opened;
      try {
        if (first.kind !== FRAME.ok) throw protocolError(`run answered frame kind ${first.kind}`);
        return await collectRun(call, options);
      } finally {
        call.close();
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A connection to `127.0.0.1:port` inside the sandbox; `AGENT_REFUSED` (`CONNECTION_REFUSED`) when closed. */
  async openPort(port: number, options: { signal?: AbortSignal } = {}): Promise<AgentPortStream> {
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw new BootstrapError('INVALID_SPEC', `port must be an integer in 1..65535, got ${port}`);
    }
    const { call, first } = await this.#connection.open(
      'port',
      { port },
      `opening port ${port}`,
      'AGENT_REFUSED',
      options.signal,
    );
    if (first.kind !== FRAME.ok) {
      call.close();
      throw protocolError(`port answered frame kind ${first.kind}`);
    }
    return new AgentPortStream(call);
  }

  #stopped(code: 'EXEC_TIMEOUT' | 'ABORTED', argv: string[], what: string, cause?: unknown): BootstrapError {
    return new BootstrapError(
      code,
      `command ${JSON.stringify(argv[0])} in ${this.#connection.name} ${what}`,
      {
        phase: 'exec',
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }
}

/** The process handle type, re-exported for `start`/`attach` callers. */
export type { AgentExit, AgentProcess };
