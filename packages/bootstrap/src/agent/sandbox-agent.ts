import { BootstrapError } from '../errors.js';
import type { ExecOptions, ExecResult } from '../sandbox-adapter.js';
import { AgentCall, type CallOptions } from './agent-call.js';
import { array, bool, int } from './agent-fields.js';
import { AgentProcess } from './agent-process.js';
import {
  checkCmd,
  checkPath,
  checkPid,
  jsonOf,
  jsonOfFrame,
  limits,
  readRange,
  runParams,
  type StartOptions,
  user,
} from './agent-requests.js';
import { collectRun, notStarted } from './agent-run.js';
import type { AgentTransport } from './agent-transport.js';
import {
  type AgentExit,
  type AgentFileList,
  type AgentFileStat,
  type AgentHello,
  type AgentProcessInfo,
  type AgentSignal,
  toFileStat,
  toHello,
  toProcessInfo,
  toWatchEvent,
  type WatchEvent,
} from './agent-types.js';
import { readBody, writeBody } from './file-bodies.js';
import {
  FRAME,
  type FrameKind,
  MAX_DATA_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  protocolError,
} from './frame-codec.js';
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

/** Options every file operation takes. */
export interface AgentFileOptions {
  signal?: AbortSignal;
  /** Runs the operation as this user (`name`, `uid`, `uid:gid`); default the sandbox's user. */
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
export class SandboxAgent {
  readonly #transport: AgentTransport;
  readonly #answerTimeoutMs: number;
  readonly #name: string;

  constructor(options: SandboxAgentOptions) {
    this.#transport = options.transport;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 10_000;
    this.#name = options.sandboxId ? `sandbox ${options.sandboxId}` : 'the sandbox';
  }

  /** The agent's version, operations, pid and uid. */
  async hello(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AgentHello> {
    const json = await this.#simple('hello', {}, 'saying hello', 'AGENT_REFUSED', options);
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
        opened = await this.#open(
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

  /**
   * Starts a process and returns its handle once it runs (`background` by default: it outlives the handle, its
   * output kept by the agent for `attach`). A missing command is `AGENT_REFUSED` with `agentCode` `NOT_FOUND`.
   */
  async start(cmd: string | readonly string[], options: StartOptions = {}): Promise<AgentProcess> {
    const argv = checkCmd(cmd);
    const params = runParams(argv, { background: true, ...options });
    const { call, first } = await this.#open(
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
    const { call, first } = await this.#open(
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
    const json = await this.#simple('ps', {}, 'listing processes', 'AGENT_REFUSED', {
      ...options,
      wholeFrame: true,
    });
    return array(json, 'processes', 1024).map(toProcessInfo);
  }

  /** Sends `signal` to the process group of `pid`. */
  async signal(pid: number, signal: AgentSignal, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#simple(
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
    const { call, first } = await AgentCall.open(
      this.#transport,
      'stdin',
      { pid: checkPid(pid) },
      {
        signal: options.signal,
        answerTimeoutMs: this.#answerTimeoutMs,
        doing: `writing the stdin of process ${pid} in ${this.#name}`,
        notFound: 'PROCESS_NOT_FOUND',
      },
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
    await this.#simple(
      'resize',
      { pid: checkPid(pid), cols, rows },
      `resizing process ${pid}`,
      'PROCESS_NOT_FOUND',
      options,
    );
  }

  /** The stat of `path` (a link as a link); rejects with `FILE_NOT_FOUND` when nothing is there. */
  async stat(path: string, options: AgentFileOptions = {}): Promise<AgentFileStat> {
    return toFileStat(await this.#file('stat', { path: checkPath(path) }, `stat ${path}`, options));
  }

  /** The entries under the directory `path`, depth-first to `depth` (1..16), at most `maxEntries` (<= 10,000). */
  async list(
    path: string,
    options: AgentFileOptions & { depth?: number; maxEntries?: number } = {},
  ): Promise<AgentFileList> {
    const params = { path: checkPath(path), ...limits(options) };
    const json = await this.#file('list', params, `listing ${path}`, { ...options, wholeFrame: true });
    const entries = array(json, 'entries', options.maxEntries ?? 10_000).map(toFileStat);
    return { entries, truncated: bool(json, 'truncated') };
  }

  /** `mkdir -p path`; resolves to whether it was created. */
  async mkdir(path: string, options: AgentFileOptions & { mode?: number } = {}): Promise<boolean> {
    const params = { path: checkPath(path), ...(options.mode === undefined ? {} : { mode: options.mode }) };
    return bool(await this.#file('mkdir', params, `creating ${path}`, options), 'created');
  }

  /** Renames `from` to `to` (parents of `to` created). */
  async move(from: string, to: string, options: AgentFileOptions = {}): Promise<void> {
    await this.#file('move', { from: checkPath(from), to: checkPath(to) }, `moving ${from}`, options);
  }

  /** Removes `path` recursively; `FILE_NOT_FOUND` when nothing is there. */
  async remove(path: string, options: AgentFileOptions = {}): Promise<void> {
    await this.#file('remove', { path: checkPath(path) }, `removing ${path}`, options);
  }

  /**
   * Streams the file `path` (a link followed): its size and mode, then its bytes as they come. More than
   * `maxBytes` is `FILE_TOO_LARGE` (at once when the size says so, or when the bytes pass it).
   */
  async readFile(
    path: string,
    options: AgentFileOptions & { maxBytes?: number; offset?: number; length?: number } = {},
  ): Promise<{ size: number; mode: number; body: AsyncIterable<Uint8Array> }> {
    const params = { path: checkPath(path), ...readRange(options), ...user(options) };
    const { call, first } = await this.#open(
      'read',
      params,
      `reading ${path}`,
      'FILE_NOT_FOUND',
      options.signal,
    );
    return readBody(call, first, path, options.maxBytes);
  }

  /**
   * Writes `body` to `path` (parents created; atomically replaced unless `append`); more than `maxBytes` is
   * `FILE_TOO_LARGE` and leaves `path` untouched. Resolves to the file's size.
   */
  async writeFile(
    path: string,
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options: AgentFileOptions & { maxBytes?: number; mode?: number; append?: boolean } = {},
  ): Promise<number> {
    const params = {
      path: checkPath(path),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.append ? { append: true } : {}),
      ...user(options),
    };
    const { call, first } = await this.#open(
      'write',
      params,
      `writing ${path}`,
      'FILE_NOT_FOUND',
      options.signal,
    );
    return writeBody(call, first, body, path, options.maxBytes);
  }

  /** The changes under `path` (recursive when asked) until the iteration stops or `signal` aborts. */
  async *watch(
    path: string,
    options: AgentFileOptions & { recursive?: boolean } = {},
  ): AsyncGenerator<WatchEvent> {
    const params = {
      path: checkPath(path),
      ...(options.recursive ? { recursive: true } : {}),
      ...user(options),
    };
    const { call, first } = await this.#open(
      'watch',
      params,
      `watching ${path}`,
      'FILE_NOT_FOUND',
      options.signal,
    );
    try {
      if (first.kind !== FRAME.ok) throw protocolError(`watch answered frame kind ${first.kind}`);
      for (;;) {
        const frame = await call.next();
        if (frame.kind === FRAME.end) return;
        if (frame.kind !== FRAME.event) throw protocolError(`a watch sent frame kind ${frame.kind}`);
        yield toWatchEvent(jsonOf(frame.payload));
      }
    } finally {
      call.close();
    }
  }

  /** A connection to `127.0.0.1:port` inside the sandbox; `AGENT_REFUSED` (`CONNECTION_REFUSED`) when closed. */
  async openPort(port: number, options: { signal?: AbortSignal } = {}): Promise<AgentPortStream> {
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw new BootstrapError('INVALID_SPEC', `port must be an integer in 1..65535, got ${port}`);
    }
    const { call, first } = await this.#open(
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

  #file(
    op: string,
    params: Record<string, unknown>,
    doing: string,
    options: AgentFileOptions & { wholeFrame?: boolean },
  ) {
    return this.#simple(op, { ...params, ...user(options) }, doing, 'FILE_NOT_FOUND', options);
  }

  // An operation answered by one `end` frame.
  async #simple(
    op: string,
    params: Record<string, unknown>,
    doing: string,
    notFound: CallOptions['notFound'],
    // `wholeFrame`: a `list` or `ps` answer may fill its frame (PROTOCOL.md: up to 900 KiB of entries).
    options: { signal?: AbortSignal | undefined; timeoutMs?: number; wholeFrame?: boolean },
  ): Promise<Record<string, unknown>> {
    const { call, first } = await this.#open(op, params, doing, notFound, options.signal, options.timeoutMs);
    try {
      return jsonOfFrame(first, FRAME.end, options.wholeFrame ? MAX_FRAME_BYTES : undefined);
    } finally {
      call.close();
    }
  }

  #open(
    op: string,
    params: Record<string, unknown>,
    doing: string,
    notFound: CallOptions['notFound'],
    signal: AbortSignal | undefined,
    timeoutMs = this.#answerTimeoutMs,
  ) {
    return AgentCall.open(this.#transport, op, params, {
      signal,
      answerTimeoutMs: timeoutMs,
      doing: `${doing} in ${this.#name}`,
      notFound,
    });
  }

  #stopped(code: 'EXEC_TIMEOUT' | 'ABORTED', argv: string[], what: string, cause?: unknown): BootstrapError {
    return new BootstrapError(code, `command ${JSON.stringify(argv[0])} in ${this.#name} ${what}`, {
      phase: 'exec',
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** The process handle type, re-exported for `start`/`attach` callers. */
export type { AgentExit, AgentProcess };
