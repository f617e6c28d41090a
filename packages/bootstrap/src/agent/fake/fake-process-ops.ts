import { posix } from 'node:path';
import { AGENT_SIGNALS, type AgentSignal } from '../agent-types.js';
import { FRAME, jsonPayload } from '../frame-codec.js';
import type { FakeAgentIo, FakeAgentState } from './fake-agent-types.js';
import { FakeAgentFailure } from './fake-file-system.js';
import { ByteQueue, FakeProcess, type ProcessNews } from './fake-process.js';

type Op = (io: FakeAgentIo, state: FakeAgentState) => Promise<void>;

const MAX_RUNNING = 256;
const MAX_ENDED = 64;
const bad = (why: string) => new FakeAgentFailure('BAD_REQUEST', why);

/** The process operations of the fake agent. */
export const processOps: Record<string, Op> = {
  run: async (io, state) => {
    const { request } = io;
    const cmd = request.cmd;
    if (
      !Array.isArray(cmd) ||
      cmd.length === 0 ||
      cmd.some((arg) => typeof arg !== 'string') ||
      cmd[0] === ''
    ) {
      throw bad('cmd must be a non-empty array of strings');
    }
    const command = state.commands[posix.basename(cmd[0] as string)];
    if (!command)
      throw new FakeAgentFailure('NOT_FOUND', `exec ${String(cmd[0])}: executable file not found in $PATH`);
    const running = [...state.processes.values()].filter((p) => !p.exit).length;
    if (running >= MAX_RUNNING) throw new FakeAgentFailure('LIMIT', `${MAX_RUNNING} processes are running`);
    const tty = request.tty !== undefined;
    const process = new FakeProcess({
      pid: state.nextPid(),
      cmd: cmd as string[],
      ...(typeof request.tag === 'string' ? { tag: request.tag } : {}),
      tty,
      background: request.background === true,
      stdin: request.stdin === true,
    });
    state.processes.set(process.pid, process);
    forget(state);
    await io.send(FRAME.ok, { pid: process.pid });
    const unsubscribe = process.subscribe(reader(io), false);
    void readHost(io, process, true).finally(() => {
      unsubscribe();
      if (!process.background) process.kill('SIGKILL');
    });
    const env = { ...(request.env as Record<string, string> | undefined) };
    const exitCode = await command({
      argv: cmd as string[],
      env,
      cwd: typeof request.cwd === 'string' ? request.cwd : '/',
      stdin: process.stdin ?? emptyInput(),
      write: (stream, data) => process.write(stream, typeof data === 'string' ? Buffer.from(data) : data),
      signal: process.killer.signal,
    }).catch(() => 137);
    process.finish({ exitCode });
  },
  attach: async (io, state) => {
    const process = find(io, state, false);
    if (io.request.stdin === true && !process.stdin) throw bad('the process was not started with stdin');
    await io.send(FRAME.ok, {
      pid: process.pid,
      cmd: process.cmd,
      tty: process.tty,
      truncated: process.truncated,
    });
    const unsubscribe = process.subscribe(reader(io), true);
    await readHost(io, process, io.request.stdin === true).finally(unsubscribe);
  },
  ps: async (io, state) => {
    const processes = [...state.processes.values()].map((p) => ({
      pid: p.pid,
      cmd: p.cmd,
      tag: p.tag,
      tty: p.tty,
      background: p.background,
      startedAtMs: p.startedAtMs,
      running: !p.exit,
      ...(p.exit ? p.exit : {}),
    }));
    await io.finish(FRAME.end, { processes });
  },
  signal: async (io, state) => {
    const process = find(io, state, true);
    const signal = io.request.signal;
    if (!AGENT_SIGNALS.includes(signal as AgentSignal)) throw bad(`unknown signal ${String(signal)}`);
    process.kill(signal as AgentSignal);
    await io.finish(FRAME.end, {});
  },
  stdin: async (io, state) => {
    const process = find(io, state, true);
    if (!process.stdin) throw bad('the process was not started with stdin');
    for (;;) {
      const next = await io.frames.next();
      if (next.done) return;
      if (next.value.kind === FRAME.stdin) process.stdin.push(next.value.payload);
      else if (next.value.kind === FRAME.stdinEof || next.value.kind === FRAME.end) {
        // as the agent: stdin_eof closes the process's input, end leaves it open
        if (next.value.kind === FRAME.stdinEof) process.stdin.end();
        return await io.finish(FRAME.end, {});
      } else throw bad(`frame kind ${next.value.kind} in stdin`);
    }
  },
  resize: async (io, state) => {
    const process = find(io, state, true);
    if (!process.tty) throw bad('the process has no terminal');
    await io.finish(FRAME.end, {});
  },
};

function find(io: FakeAgentIo, state: FakeAgentState, running: boolean): FakeProcess {
  const pid = io.request.pid;
  if (!(typeof pid === 'number' && Number.isInteger(pid) && pid > 0))
    throw bad('pid must be a positive integer');
  const process = state.processes.get(pid);
  if (!process || (running && process.exit)) throw new FakeAgentFailure('NOT_FOUND', `no process ${pid}`);
  return process;
}

// Sends what the process says to this connection, and ends it after the exit.
function reader(io: FakeAgentIo) {
  return async (news: ProcessNews) => {
    if ('exit' in news) return io.finish(FRAME.end, news.exit);
    return io.send(news.stream === 'stdout' ? FRAME.stdout : FRAME.stderr, news.data);
  };
}

// Stdin and control frames from the host until it closes the connection.
async function readHost(io: FakeAgentIo, process: FakeProcess, stdin: boolean): Promise<void> {
  for (;;) {
    const next = await io.frames.next().catch(() => ({ done: true as const, value: undefined }));
    if (next.done) return;
    const frame = next.value;
    if (frame.kind === FRAME.stdin && stdin && process.stdin) process.stdin.push(frame.payload);
    else if (frame.kind === FRAME.stdinEof && stdin) process.stdin?.end();
    else if (frame.kind === FRAME.control) {
      const control = jsonPayload(frame);
      if (typeof control.signal === 'string') process.kill(control.signal as AgentSignal);
    } else {
      await io.finish(FRAME.error, { code: 'BAD_REQUEST', message: `frame kind ${frame.kind} not expected` });
      return;
    }
  }
}

function emptyInput(): ByteQueue {
  const queue = new ByteQueue();
  queue.end();
  return queue;
}

// Ended processes beyond 64: the oldest ended first out.
function forget(state: FakeAgentState): void {
  const ended = [...state.processes.values()].filter((p) => p.exit);
  for (const process of ended.slice(0, Math.max(0, ended.length - MAX_ENDED)))
    state.processes.delete(process.pid);
}
