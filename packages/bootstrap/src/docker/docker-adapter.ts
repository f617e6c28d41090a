import { resolve } from 'node:path';
import {
  consoleLogger,
  type Logger,
  type ProvisionContext,
  systemWallClock,
  type WallClock,
} from '@sbx/timing';
import { defaultAgentBinary } from '../agent/agent-binary.js';
import { BootstrapError } from '../errors.js';
import type { SandboxAdapter, SandboxGoneEvent } from '../sandbox-adapter.js';
import { removeSandboxDir } from './agent/agent-channel.js';
import { sweepAgentDirs } from './agent/agent-dirs.js';
import type { AgentDeps } from './agent/provision-agent.js';
import type { DockerApi } from './docker-api.js';
import { describeEngineAddress, engineUnreachable } from './docker-error.js';
import { type DockerRuntimes, RuntimeCatalog } from './docker-runtimes.js';
import type { DockerSandbox } from './docker-sandbox.js';
import { type DockerSandboxSpec, resolveDockerSandboxSpec, ttlProblem } from './docker-sandbox-spec.js';
import {
  listManagedContainers,
  type ManagedContainer,
  type ReapOptions,
  reapContainers,
} from './managed-containers.js';
import { defaultOwner } from './owner.js';
import { provisionDockerSandbox } from './provision-docker-sandbox.js';
import { watchContainers } from './watch-containers.js';

/** How long a sandbox lives before `reap()` removes it whatever its owner, unless the spec says otherwise. */
export const DEFAULT_SANDBOX_TTL_MS = 60 * 60 * 1000;

/** Options of a `DockerAdapter`. */
export interface DockerAdapterOptions {
  /** The Docker client; agent-host passes `new Dockerode()`. */
  docker: DockerApi;
  /** Where the engine is, for error messages; default the client's socket or host (`/var/run/docker.sock`). */
  engineAddress?: string;
  /** The `sbx.owner` label of every container; default `defaultOwner()`: `${hostname}:${pid}:${startTime}:${instanceId}`. */
  owner?: string;
  /** Default `ttlMs` of a spec; default one hour, at most `MAX_SANDBOX_TTL_MS`. */
  defaultTtlMs?: number;
  /** Where cleanup problems that are not rethrown go; default the console. */
  logger?: Logger;
  /** Stamps expiry labels; default the system clock. */
  wallClock?: WallClock;
  /**
   * Where each sandbox's agent directory (its socket) is made, `<agentDir>/<sandboxId>` (agent-host passes
   * `<stateDir>/agents`). Without it no sandbox gets the in-sandbox agent: every command is a Docker exec.
   */
  agentDir?: string;
  /** The `sbx-agent` binary (linux-x64) bind-mounted into sandboxes; default the one this package ships. */
  agentBinary?: string;
  /** How long the `agent` phase waits for the agent's `hello` before falling back to Docker exec; default 2,000. */
  agentTimeoutMs?: number;
}

/** How long the `agent` phase waits for the agent's `hello` by default. */
export const DEFAULT_AGENT_TIMEOUT_MS = 2_000;

/**
 * Provisions Docker containers as sandboxes through the Engine API, timed by phase (`image`, `create`,
 * `start`, `ready`), bounded by the provisioner's one deadline, and never leaked: every container carries
 * sbx's labels, a failed provisioning removes its container before the error propagates, and `reap()`
 * removes what an expired or dead owner left behind.
 *
 * @example
 * const adapter = new DockerAdapter({ docker: new Dockerode() });
 * const { value: sandbox } = await new SandboxProvisioner().provision({
 *   type: 'docker',
 *   deadlineMs: 30_000,
 *   bootstrapFn: (ctx) =>
 *     adapter.provision({ image: 'node:20', cmd: ['node', 'server.js'], ready: { kind: 'tcp', port: 3000 } }, ctx),
 * });
 * const { exitCode, stdout } = await sandbox.exec(['node', '--version'], { timeoutMs: 5_000 });
 * await sandbox.dispose();
 */
export class DockerAdapter implements SandboxAdapter<DockerSandboxSpec, DockerSandbox> {
  readonly type = 'docker' as const;
  /** Where the engine is expected (named in `ENGINE_UNREACHABLE` errors). */
  readonly engineAddress: string;
  /** The `sbx.owner` label this adapter stamps. */
  readonly owner: string;
  readonly #docker: DockerApi;
  readonly #defaultTtlMs: number;
  readonly #logger: Logger;
  readonly #wallClock: WallClock;
  readonly #runtimes: RuntimeCatalog;
  readonly #agent: AgentDeps | undefined;

  constructor(options: DockerAdapterOptions) {
    this.#docker = options.docker;
    this.engineAddress = options.engineAddress ?? describeEngineAddress(options.docker.modem);
    this.owner = options.owner ?? defaultOwner();
    this.#defaultTtlMs = options.defaultTtlMs ?? DEFAULT_SANDBOX_TTL_MS;
    const ttl = ttlProblem('defaultTtlMs', this.#defaultTtlMs);
    if (ttl) throw new BootstrapError('INVALID_SPEC', `invalid DockerAdapter options: ${ttl}`);
    this.#logger = options.logger ?? consoleLogger;
    this.#wallClock = options.wallClock ?? systemWallClock;
    this.#runtimes = new RuntimeCatalog(this.#docker, this.engineAddress);
    this.#agent = agentDeps(options, this.#logger);
  }

  /** Whether sandboxes of this adapter get the in-sandbox agent (an `agentDir` and a built binary). */
  get agentEnabled(): boolean {
    return this.#agent !== undefined;
  }

  /**
   * Provisions a sandbox inside `ctx` (a `SandboxProvisioner` context). Rejects with a `BootstrapError`:
   * `INVALID_SPEC`, `ENGINE_UNREACHABLE`, `IMAGE_NOT_FOUND`, `PULL_FAILED`, `CREATE_FAILED`, `START_FAILED`,
   * `READINESS_FAILED`, `RUNTIME_NOT_FOUND`, `DEADLINE_EXCEEDED` or `ABORTED`; by then no container of it is
   * left. The result's attributes say the `runtime` it ran on (the engine's default by name) and its `network`;
   * the adapter's first provisioning reads the engine's runtimes (`GET /info`) in its `create` phase.
   */
  async provision(spec: DockerSandboxSpec, ctx: ProvisionContext): Promise<DockerSandbox> {
    const resolved = resolveDockerSandboxSpec(spec);
    const ttlMs = resolved.ttlMs ?? this.#defaultTtlMs;
    return provisionDockerSandbox(
      {
        docker: this.#docker,
        engineAddress: this.engineAddress,
        owner: this.owner,
        expiresAt: new Date(this.#wallClock.now().getTime() + ttlMs),
        logger: this.#logger,
        runtimes: this.#runtimes,
        agent: this.#agent,
      },
      resolved,
      ctx,
    );
  }

  /** Resolves when the engine answers; rejects with `ENGINE_UNREACHABLE` saying where it looked and what to do. */
  async ping(): Promise<void> {
    try {
      await this.#docker.ping();
    } catch (error) {
      throw engineUnreachable(error, this.engineAddress);
    }
  }

  /**
   * The engine's runtimes and its default (`GET /info`), read once and kept; `fresh` reads them again (after the
   * engine reloaded its config). Rejects with `ENGINE_UNREACHABLE` or `ENGINE_ERROR`.
   */
  listRuntimes(options: { signal?: AbortSignal; fresh?: boolean } = {}): Promise<DockerRuntimes> {
    return this.#runtimes.list(options);
  }

  /** Every container sbx created on this engine (any owner), running or not. */
  listManaged(): Promise<ManagedContainer[]> {
    return listManagedContainers(this.#docker, this.engineAddress);
  }

  /**
   * Removes managed containers that are expired or whose owner is gone, then the agent directories of sandboxes
   * that no longer exist (a host that died left them); resolves to the removed container ids.
   */
  async reap(options: ReapOptions = {}): Promise<{ removed: string[] }> {
    const reaped = await reapContainers(this.#docker, this.engineAddress, this.#logger, {
      ...options,
      now: options.now ?? this.#wallClock.now(),
    });
    if (this.#agent) await sweepAgentDirs(this.#agent, () => this.listManaged(), this.#logger);
    return reaped;
  }

  /**
   * Follows the engine's events and calls `onGone` when a container of sbx (any owner) exits (`exited`, with its
   * exit code), is removed (`removed`) or is killed for memory (`oom`); a running container that is force-removed
   * reports `exited`, then `removed`. Resolves once watching started (rejects with `ENGINE_UNREACHABLE` or
   * `ENGINE_ERROR` when it cannot); a lost stream is reopened with bounded backoff from where it left off. Pass a
   * `signal`: aborting it destroys the stream, and without it the watch holds a socket for the process's life.
   */
  watch(onGone: (event: SandboxGoneEvent) => void, options: { signal?: AbortSignal } = {}): Promise<void> {
    const agent = this.#agent;
    return watchContainers(
      {
        docker: this.#docker,
        engineAddress: this.engineAddress,
        logger: this.#logger,
        wallClock: this.#wallClock,
      },
      (event) => {
        // A sandbox removed by anyone (reaped, `docker rm`) leaves no agent directory behind.
        if (agent && event.reason === 'removed') removeSandboxDir(agent.dir, event.sandboxId);
        onGone(event);
      },
      options.signal,
    );
  }
}

function agentDeps(options: DockerAdapterOptions, logger: Logger): AgentDeps | undefined {
  if (options.agentDir === undefined) return undefined;
  const timeoutMs = options.agentTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new BootstrapError(
      'INVALID_SPEC',
      `invalid DockerAdapter options: agentTimeoutMs must be positive, got ${timeoutMs}`,
    );
  }
  const binary = options.agentBinary ?? defaultAgentBinary();
  if (!binary) {
    logger.warn(
      'sbx-agent is not built (pnpm build in packages/bootstrap needs golang-go): sandboxes run without the agent',
    );
    return undefined;
  }
  // The engine bind-mounts it: a relative path (a state dir of `./.sbx`) must be made absolute here.
  return { dir: resolve(options.agentDir), binary, timeoutMs, inFlight: new Set() };
}
