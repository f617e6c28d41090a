import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { HostAgent } from '../core/host-adapter.js';
import type { OpenRun } from '../core/measured-use.js';
import type { AgentProcess } from '../core/process-agent.js';
import { event, guarded, pidOf, stream } from './agent-process-events.js';
import type { E2bHost } from './e2b-host.js';
import {
  type ProcessInfo,
  type ProcessSelector,
  Signal,
  type StartRequest,
} from './gen/process/process_pb.js';
import type { SandboxCall } from './sandbox-context.js';

/** The in-sandbox agent's processes as E2B's: start/attach streams, ps, signals, stdin and PTY input, resize. */
export class AgentProcesses {
  readonly #host: Pick<E2bHost, 'measured'>;
  // Handles of processes started with stdin or a PTY, for SendInput/CloseStdin (by sandbox, then pid).
  readonly #inputs = new Map<string, Map<number, AgentProcess>>();

  /**
   * Starts `req` through the agent; yields E2B events until the process ends (or the caller goes away). The
   * command is one perf run, like `POST /v1/.../exec`: from the start to its end event (`success` on exit 0,
   * `timeout` when its deadline killed it, else `error`, a caller gone before the end included).
   */
  async *start(agent: HostAgent, call: SandboxCall, req: StartRequest, ctx: HandlerContext) {
    const config = req.process;
    if (!config?.cmd) throw new ConnectError('process.cmd: must not be empty', Code.InvalidArgument);
    const size = req.pty?.size;
    let run: OpenRun = { end: () => {} };
    const proc = await this.#host.measured(
      call.sandbox,
      (_signal, keepOpen) => {
        run = keepOpen();
        return guarded(() =>
          agent.start([config.cmd, ...config.args], {
            env: { ...config.envs },
            background: true,
            ...(config.cwd ? { cwd: config.cwd } : {}),
            ...(call.user ? { user: call.user } : {}),
            ...(req.stdin || size ? { stdin: true } : {}),
            ...(size ? { tty: { cols: size.cols || 80, rows: size.rows || 24 } } : {}),
            ...(req.tag ? { tag: req.tag.slice(0, 256) } : {}),
          }),
        );
      },
      ctx.signal,
    );
    const inputs = this.#inputsOf(call.sandbox.id);
    if (req.stdin || size) inputs.set(proc.pid, proc);
    // The SDK's timeout is the stream's deadline: the process is killed then, as E2B's daemon does.
    const timeout = Number(ctx.requestHeader.get('connect-timeout-ms') ?? '');
    let timedOut = false;
    const timer =
      Number.isSafeInteger(timeout) && timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            void agent.signal(proc.pid, 'SIGKILL').catch(() => {});
          }, timeout)
        : undefined;
    let exitCode: number | undefined;
    try {
      yield event({ case: 'start', value: { pid: proc.pid } });
      exitCode = yield* stream(proc, size !== undefined, ctx);
    } finally {
      clearTimeout(timer);
      inputs.delete(proc.pid);
      run.end(timedOut ? 'timeout' : exitCode === 0 ? 'success' : 'error');
    }
  }

  /** Re-attaches to a process by pid (its kept output first). */
  async *connect(agent: HostAgent, selector: ProcessSelector | undefined, ctx: HandlerContext) {
    const pid = await pidOf(agent, selector);
    const proc = await guarded(() => agent.attach(pid));
    yield event({ case: 'start', value: { pid } });
    yield* stream(proc, false, ctx);
  }

  /** The running processes. */
  async list(agent: HostAgent): Promise<ProcessInfo[]> {
    const processes = await guarded(() => agent.ps());
    return processes
      .filter((p) => p.running)
      .map(
        (p) =>
          ({
            pid: p.pid,
            config: { cmd: p.cmd[0] ?? '', args: p.cmd.slice(1), envs: {} },
            ...(p.tag ? { tag: p.tag } : {}),
          }) as ProcessInfo,
      );
  }

  /** SIGKILL or SIGTERM to the process group. */
  async signal(agent: HostAgent, selector: ProcessSelector | undefined, signal: Signal): Promise<void> {
    if (signal !== Signal.SIGKILL && signal !== Signal.SIGTERM) {
      throw new ConnectError('signal: must be SIGNAL_SIGKILL or SIGNAL_SIGTERM', Code.InvalidArgument);
    }
    const pid = await pidOf(agent, selector);
    await guarded(() => agent.signal(pid, signal === Signal.SIGKILL ? 'SIGKILL' : 'SIGTERM'));
  }

  /** Writes stdin or PTY input (through the start's handle, else a short attach with stdin). */
  async input(agent: HostAgent, call: SandboxCall, selector: ProcessSelector | undefined, bytes: Uint8Array) {
    const pid = await pidOf(agent, selector);
    const held = this.#inputsOf(call.sandbox.id).get(pid);
    if (held) return guarded(() => held.sendStdin(bytes));
    const proc = await guarded(() => agent.attach(pid, { stdin: true }));
    try {
      await guarded(() => proc.sendStdin(bytes));
    } finally {
      proc.close();
    }
  }

  /** Closes stdin (EOF). */
  async closeStdin(agent: HostAgent, call: SandboxCall, selector: ProcessSelector | undefined) {
    const pid = await pidOf(agent, selector);
    const held = this.#inputsOf(call.sandbox.id).get(pid);
    if (!held)
      throw new ConnectError(`process ${pid} was not started with stdin here`, Code.FailedPrecondition);
    await guarded(() => held.closeStdin());
  }

  /** Resizes a PTY. */
  async resize(agent: HostAgent, selector: ProcessSelector | undefined, cols: number, rows: number) {
    const pid = await pidOf(agent, selector);
    await guarded(() => agent.resize(pid, cols, rows));
  }

  constructor(host: Pick<E2bHost, 'measured'>) {
    this.#host = host;
  }

  #inputsOf(sandboxId: string): Map<number, AgentProcess> {
    let inputs = this.#inputs.get(sandboxId);
    if (!inputs) {
      inputs = new Map();
      this.#inputs.set(sandboxId, inputs);
    }
    return inputs;
  }
}
