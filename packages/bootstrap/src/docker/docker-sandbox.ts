import { randomUUID } from 'node:crypto';
import type { Logger } from '@sbx/timing';
import type { SandboxAgent } from '../agent/sandbox-agent.js';
import { sleep } from '../bounded.js';
import { BootstrapError, isBootstrapError } from '../errors.js';
import type {
  ExecOptions,
  ExecResult,
  LogsOptions,
  LogsResult,
  SandboxFiles,
  SandboxHandle,
} from '../sandbox-adapter.js';
import { removeSandboxDir } from './agent/agent-channel.js';
import { AgentSandboxFiles } from './agent/agent-files.js';
import type { DockerContainerApi } from './docker-api.js';
import { engineMessage, isContainerGone, isNotFound, wrapDockerError } from './docker-error.js';
import { readLogs } from './docker-logs.js';
import type { DockerNetwork } from './docker-sandbox-spec.js';
import type { ImageSource } from './ensure-image.js';
import { DockerFiles } from './files/docker-files.js';
import { removeContainer } from './remove-container.js';
import { runExec } from './run-exec.js';

/** The variable every exec gets, so a command that timed out can be found and killed inside the container. */
export const EXEC_MARKER_ENV = 'SBX_EXEC_ID';

// Exit codes of a command whose container died under it (killed: 137; the engine could not exec: 126; no code:
// -1). Only then is the container inspected, to tell a gone sandbox from a command that failed by itself. The
// engine reports a container it is killing as running for some tens of ms more, so it is asked a few times.
const SUSPECT_EXIT_CODES = new Set([126, 137, -1]);
const GONE_CHECKS = 4;
const GONE_CHECK_INTERVAL_MS = 50;
// How long an exec may still be starting (create, start, runc exec): one the freezer catches before its process
// runs wedges the container (runc init frozen; unpause and rm -f then hang), so `pause()` waits this long at most.
const EXEC_START_SETTLE_MS = 1_500;

// Kills every process whose environment carries the marker (the command and its children). Needs sh, tr, grep.
const KILL_MARKED =
  'cd /proc && for p in [0-9]*; do if tr "\\0" "\\n" < "$p/environ" 2>/dev/null | grep -qx "$1"; then kill -9 "$p"; fi; done';

/** What a `DockerSandbox` is built from (by `DockerAdapter.provision`). */
export interface DockerSandboxInit {
  id: string;
  container: DockerContainerApi;
  image: string;
  imageSource: ImageSource;
  owner: string;
  expiresAt: Date;
  engineAddress: string;
  logger: Logger;
  /** The engine runtime it runs on (the engine's default resolved to its name). */
  runtime: string;
  network: DockerNetwork;
  /** The in-sandbox agent's client, when it answered during provisioning. */
  agent?: SandboxAgent | undefined;
  /** The agents dir holding this sandbox's own directory (removed on dispose). */
  agentDir?: string | undefined;
}

/** A running Docker sandbox: run commands in it, then dispose of it (force-removes the container). */
export class DockerSandbox implements SandboxHandle {
  readonly type = 'docker' as const;
  /** The sandbox id, also the container name and its `sbx.sandbox-id` label. */
  readonly id: string;
  readonly containerId: string;
  readonly image: string;
  /** Whether the image was already on the engine or pulled for this sandbox. */
  readonly imageSource: ImageSource;
  readonly owner: string;
  /** When `reap()` may remove it whatever its owner. */
  readonly expiresAt: Date;
  /** The engine runtime it runs on (`runc`, `runsc`, ...). */
  readonly runtime: string;
  /** `none` (loopback only) or `egress` (the engine's bridge). */
  readonly network: DockerNetwork;
  /**
   * Its files, inside the container (never on the host): through the agent when it runs (streamed, as the
   * sandbox's user), else the engine's archive API; tar archives always through the archive API.
   */
  readonly files: SandboxFiles;
  /** The in-sandbox agent (commands in about a millisecond, processes, files, ports); undefined without it. */
  readonly agent: SandboxAgent | undefined;
  readonly #agentDir: string | undefined;
  readonly #container: DockerContainerApi;
  readonly #engineAddress: string;
  readonly #logger: Logger;
  #disposing: Promise<void> | undefined;
  #disposed = false;
  #paused = false;
  // When each exec in flight began (its start may still be under way).
  readonly #execsSince = new Set<{ at: number }>();
  // Kills of aborted commands held while the sandbox is paused (an exec into a frozen container wedges it).
  #killsAfterResume: string[] = [];

  constructor(init: DockerSandboxInit) {
    this.id = init.id;
    this.containerId = init.container.id;
    this.image = init.image;
    this.imageSource = init.imageSource;
    this.owner = init.owner;
    this.expiresAt = init.expiresAt;
    this.runtime = init.runtime;
    this.network = init.network;
    this.#container = init.container;
    this.#engineAddress = init.engineAddress;
    const tars = new DockerFiles({
      sandboxId: init.id,
      container: init.container,
      engineAddress: init.engineAddress,
    });
    this.agent = init.agent;
    this.#agentDir = init.agentDir;
    this.files = init.agent ? new AgentSandboxFiles({ agent: init.agent, tars, sandboxId: init.id }) : tars;
    this.#logger = init.logger;
  }

  /** True once `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Runs a command (a string runs with `sh -c`) and resolves to its exit code and demultiplexed output; a
   * non-zero exit is a result. Rejects with `EXEC_TIMEOUT` after `timeoutMs` (the command is then killed),
   * `ABORTED` when `signal` aborts, `DISPOSED` after `dispose()`, `EXEC_FAILED` when the engine fails.
   */
  async exec(cmd: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.#disposed)
      throw new BootstrapError('DISPOSED', `sandbox ${this.id} is disposed`, { phase: 'exec' });
    const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : [...cmd];
    if (argv.length === 0 || argv.some((arg) => typeof arg !== 'string')) {
      throw new BootstrapError('INVALID_SPEC', 'exec needs a non-empty command', { phase: 'exec' });
    }
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new BootstrapError('INVALID_SPEC', `exec timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    if (this.#paused) {
      throw new BootstrapError('EXEC_FAILED', `sandbox ${this.id} is paused: resume it first`, {
        phase: 'exec',
      });
    }
    const marker = `${EXEC_MARKER_ENV}=${randomUUID()}`;
    const since = { at: performance.now() };
    this.#execsSince.add(since);
    const controller = new AbortController();
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => controller.abort(this.#stopped('EXEC_TIMEOUT', `timed out after ${timeoutMs} ms`, argv)),
            timeoutMs,
          );
    const onAbort = () => controller.abort(this.#stopped('ABORTED', 'aborted', argv, options.signal?.reason));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = this.agent
        ? await this.agent.run(argv, { ...withoutTimers(options), signal: controller.signal })
        : await runExec(this.#container, argv, {
            env: { ...options.env, [EXEC_MARKER_ENV]: marker.slice(EXEC_MARKER_ENV.length + 1) },
            ...(options.workingDir ? { workingDir: options.workingDir } : {}),
            ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
            ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
            ...(options.onOutput ? { onOutput: options.onOutput } : {}),
            signal: controller.signal,
          });
      if (SUSPECT_EXIT_CODES.has(result.exitCode) && (await this.#containerGone(controller.signal))) {
        throw this.#gone(`its container stopped while ${JSON.stringify(argv[0])} ran`);
      }
      return result;
    } catch (error) {
      if (controller.signal.aborted) {
        // The agent kills the command's process group when its connection closes; Docker exec needs a hunt.
        if (!this.agent) void this.#kill(marker);
        throw controller.signal.reason;
      }
      if (this.#disposed) {
        throw new BootstrapError('DISPOSED', `sandbox ${this.id} was disposed while a command ran`, {
          cause: error,
          phase: 'exec',
        });
      }
      if (isBootstrapError(error, 'SANDBOX_GONE')) throw error;
      if (isContainerGone(error)) throw this.#gone(engineMessage(error), error);
      if (isBootstrapError(error, 'AGENT_UNAVAILABLE') && (await this.#containerGone(controller.signal))) {
        throw this.#gone(`its container stopped while ${JSON.stringify(argv[0])} ran`, error);
      }
      if (isBootstrapError(error) && error.code.startsWith('AGENT_')) {
        throw new BootstrapError(
          'EXEC_FAILED',
          `running ${JSON.stringify(argv[0])} in sandbox ${this.id}: ${error.message}`,
          {
            cause: error,
            phase: 'exec',
            failureCause: error.failureCause,
          },
        );
      }
      throw wrapDockerError(error, {
        code: 'EXEC_FAILED',
        doing: `running ${JSON.stringify(argv[0])} in sandbox ${this.id}`,
        engineAddress: this.#engineAddress,
        phase: 'exec',
      });
    } finally {
      this.#execsSince.delete(since);
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The container's output (its main process), from the start or the last `tail` lines; with `follow`, new
   * output until the process ends or `signal` aborts. Rejects with `SANDBOX_GONE` when the container is gone.
   */
  async logs(options: LogsOptions): Promise<LogsResult> {
    try {
      return await readLogs(this.#container, options);
    } catch (error) {
      if (options.signal?.aborted) return { truncated: false };
      if (isContainerGone(error) || isNotFound(error)) throw this.#gone(engineMessage(error), error);
      throw wrapDockerError(error, {
        code: 'ENGINE_ERROR',
        doing: `reading the output of sandbox ${this.id}`,
        engineAddress: this.#engineAddress,
        phase: 'logs',
      });
    }
  }

  /** Freezes every process of the container (`docker pause`: the cgroup freezer; memory kept). */
  pause(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#freeze('pause', options.signal);
  }

  /** Thaws a paused container (`docker unpause`). */
  resume(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#freeze('unpause', options.signal);
  }

  async #freeze(op: 'pause' | 'unpause', signal: AbortSignal | undefined): Promise<void> {
    if (this.#disposed) throw new BootstrapError('DISPOSED', `sandbox ${this.id} is disposed`, { phase: op });
    const call = this.#container[op];
    if (!call) throw new BootstrapError('ENGINE_ERROR', `this engine client cannot ${op} containers`);
    try {
      if (op === 'pause') {
        this.#paused = true; // no new exec from here on
        const youngest = Math.max(0, ...[...this.#execsSince].map((e) => e.at));
        const wait = youngest + EXEC_START_SETTLE_MS - performance.now();
        if (wait > 0) await sleep(wait, signal ?? new AbortController().signal);
      }
      await call.call(this.#container, signal ? { abortSignal: signal } : {});
      if (op === 'unpause') {
        this.#paused = false;
        for (const marker of this.#killsAfterResume.splice(0)) void this.#kill(marker);
      }
    } catch (error) {
      if (op === 'pause') this.#paused = false;
      if (isNotFound(error)) throw this.#gone(engineMessage(error), error);
      throw wrapDockerError(error, {
        code: 'ENGINE_ERROR',
        doing: `${op === 'pause' ? 'pausing' : 'resuming'} sandbox ${this.id}`,
        engineAddress: this.#engineAddress,
        phase: op,
      });
    }
  }

  /** Force-removes the container; idempotent, and safe to call concurrently. A failed removal can be retried. */
  dispose(): Promise<void> {
    this.#disposed = true;
    this.#disposing ??= removeContainer(this.#container, this.#engineAddress, 'dispose').then(
      () => {
        if (this.#agentDir) removeSandboxDir(this.#agentDir, this.id);
      },
      (error: unknown) => {
        this.#disposing = undefined;
        throw error;
      },
    );
    return this.#disposing;
  }

  /** `await using sandbox = await adapter.provision(...)` disposes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #stopped(code: 'EXEC_TIMEOUT' | 'ABORTED', what: string, argv: string[], cause?: unknown): BootstrapError {
    return new BootstrapError(code, `command ${JSON.stringify(argv[0])} in sandbox ${this.id} ${what}`, {
      phase: 'exec',
      ...(cause === undefined ? {} : { cause }),
    });
  }

  // `SANDBOX_GONE`: nothing can run in this sandbox any more; the caller needs a new one.
  #gone(why: string, cause?: unknown): BootstrapError {
    return new BootstrapError(
      'SANDBOX_GONE',
      `sandbox ${this.id} is gone (${why}): its container was removed or has stopped - provision a new sandbox`,
      { phase: 'exec', ...(cause === undefined ? {} : { cause }) },
    );
  }

  // Whether the container is removed or no longer running; false when the engine cannot say.
  async #containerGone(signal: AbortSignal): Promise<boolean> {
    try {
      for (let check = 1; check <= GONE_CHECKS; check += 1) {
        if (!(await this.#container.inspect({ abortSignal: signal })).State.Running) return true;
        if (check < GONE_CHECKS) await sleep(GONE_CHECK_INTERVAL_MS, signal);
      }
      return false;
    } catch (error) {
      return isNotFound(error);
    }
  }

  // Best effort: the engine has no API to stop an exec, so kill its processes from inside the container.
  async #kill(marker: string): Promise<void> {
    if (this.#paused) {
      this.#killsAfterResume.push(marker);
      return;
    }
    try {
      await runExec(this.#container, ['sh', '-c', KILL_MARKED, 'sbx-kill', marker]);
    } catch (error) {
      this.#logger.warn(`could not kill a stopped command in sandbox ${this.id}`, { error: String(error) });
    }
  }
}

// The sandbox's own timer and signal bound an agent run (same errors as Docker exec), not the agent client's.
function withoutTimers(options: ExecOptions): ExecOptions {
  const { timeoutMs: _timeout, signal: _signal, ...rest } = options;
  return rest;
}
