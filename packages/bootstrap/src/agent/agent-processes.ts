// The process operations of the in-sandbox agent (start, attach, ps, signal, stdin, resize): the part of
// `SandboxAgent` that works on pids, each call on its own connection.
import { BootstrapError } from '../errors.js';
import type { AgentCall } from './agent-call.js';
import type { AgentConnection } from './agent-connection.js';
import { array, bool, int } from './agent-fields.js';
import { AgentFiles } from './agent-files.js';
import { AgentProcess } from './agent-process.js';
import { checkCmd, checkPid, jsonOfFrame, runParams, type StartOptions } from './agent-requests.js';
import { type AgentProcessInfo, type AgentSignal, toProcessInfo } from './agent-types.js';
import { FRAME, type FrameKind, MAX_DATA_CHUNK_BYTES } from './frame-codec.js';

/** The agent's process and file operations; `SandboxAgent` has them all. */
export class AgentProcesses extends AgentFiles {
  readonly #connection: AgentConnection;

  constructor(connection: AgentConnection) {
    super(connection);
    this.#connection = connection;
  }

  /**
   * Starts a process and returns its handle once it runs (`background` by default: it outlives the handle, its
   * output kept by the agent for `attach`). A missing command is `AGENT_REFUSED` with `agentCode` `NOT_FOUND`.
   */
  async start(cmd: string | readonly string[], options: StartOptions = {}): Promise<AgentProcess> {
    const argv = checkCmd(cmd);
    const params = runParams(argv, { background: true, ...options });
    const { call, first } = await this.#connection.open(
      'run',
      params,
      `starting ${JSON.stringify(argv[0])}`,
      'AGENT_REFUSED',
      options.signal,
    );
    return this.#process(call, first, false);
  }

  /** Re-attaches to a process the agent lists: its kept output first, then live output, then its exit. */
  async attach(pid: number, options: { stdin?: boolean; signal?: AbortSignal } = {}): Promise<AgentProcess> {
    const params = { pid: checkPid(pid), ...(options.stdin ? { stdin: true } : {}) };
    const { call, first } = await this.#connection.open(
      'attach',
      params,
      `attaching to process ${pid}`,
      'PROCESS_NOT_FOUND',
      options.signal,
    );
    return this.#process(call, first, true);
  }

  /** The processes the agent runs and the ended background ones it keeps. */
  async ps(options: { signal?: AbortSignal } = {}): Promise<AgentProcessInfo[]> {
    const json = await this.#connection.simple('ps', {}, 'listing processes', 'AGENT_REFUSED', {
      ...options,
      wholeFrame: true,
    });
    return array(json, 'processes', 1024).map(toProcessInfo);
  }

  /** Sends `signal` to the process group of `pid`. */
  async signal(pid: number, signal: AgentSignal, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#connection.simple(
      'signal',
      { pid: checkPid(pid), signal },
      `signalling process ${pid}`,
      'PROCESS_NOT_FOUND',
      options,
    );
  }

  /**
   * Writes `data` to the standard input of process `pid` (started with stdin) and, with `eof`, closes it; resolves
   * once the agent has written it (the `stdin` operation: nothing is lost to a connection closed right after).
   */
  async writeStdin(
    pid: number,
    data: Uint8Array,
    options: { eof?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const frames: Array<{ kind: FrameKind; payload?: Uint8Array | object }> = [];
    for (let at = 0; at < data.length; at += MAX_DATA_CHUNK_BYTES) {
      frames.push({ kind: FRAME.stdin, payload: data.subarray(at, at + MAX_DATA_CHUNK_BYTES) });
    }
    frames.push(options.eof ? { kind: FRAME.stdinEof } : { kind: FRAME.end, payload: {} });
    const { call, first } = await this.#connection.open(
      'stdin',
      { pid: checkPid(pid) },
      `writing the stdin of process ${pid}`,
      'PROCESS_NOT_FOUND',
      options.signal,
      undefined,
      frames,
    );
    try {
      jsonOfFrame(first, FRAME.end);
    } finally {
      call.close();
    }
  }

  /** Resizes the terminal of process `pid`. */
  async resize(
    pid: number,
    cols: number,
    rows: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    for (const [name, value] of [
      ['cols', cols],
      ['rows', rows],
    ] as const) {
      if (!(Number.isInteger(value) && value >= 1 && value <= 4096)) {
        throw new BootstrapError('INVALID_SPEC', `${name} must be an integer in 1..4096, got ${value}`);
      }
    }
    await this.#connection.simple(
      'resize',
      { pid: checkPid(pid), cols, rows },
      `resizing process ${pid}`,
      'PROCESS_NOT_FOUND',
      options,
    );
  }

  async #process(call: AgentCall, first: { kind: number; payload: Uint8Array }, attach: boolean) {
    try {
      const json = { ...jsonOfFrame(first, FRAME.ok) };
      const pid = int(json, 'pid', 1, 2 ** 31 - 1);
      const truncated = attach ? bool(json, 'truncated', false) : false;
      return new AgentProcess({ pid, truncated, call, ops: this });
    } catch (error) {
      call.close();
      throw error;
    }
  }
}
