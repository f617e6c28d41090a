import type { ProvisionResult } from '@sbx/timing';
import type { HostSandbox } from '../core/host-adapter.js';
import type { HostPoolStats } from '../core/host-pools.js';
import type { Lookup, SandboxLabels } from '../core/live-sandboxes.js';
import { measuredUse, type OpenRun } from '../core/measured-use.js';
import type { DueReason, SandboxTimes } from '../core/sandbox-activity.js';
import type {
  Acquired,
  JobOptions,
  JobRun,
  ProvisionCallOptions,
  SandboxHost,
} from '../core/sandbox-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { SandboxProcesses } from '../core/sandbox-processes.js';
import type { StoreHealth } from '../spool/spooled-store.js';
import { type Admitted, admitBody, admitFlags, type PolicyChoice } from './admit-request.js';
import { isPoolRequest, parsePoolRequest } from './pool-request.js';
import { type RuntimesView, runtimesView, type TemplateView, templatesView } from './runtime-views.js';
import { type Health, healthOf } from './service-health.js';

/** What the service is built on: the host, the server's policy and, for `health()`, the store's state. */
export interface SandboxServiceDeps {
  host: SandboxHost;
  policy: SandboxPolicy;
  storeHealth?: () => StoreHealth;
}

/** Who asks, and how long they wait: the options of every provisioning through the service. */
export type CreateOptions = Omit<ProvisionCallOptions, 'deadlineMs'>;

/** A `POST /v1/sandboxes` body (a type's fields or `{ pool }`) or an admitted spec, and its `labels` (below). */
export type CreateRequest = CreateOptions & { labels?: Record<string, string> } & (
    | { body: unknown }
    | { admitted: Admitted }
  );

/** A new sandbox of the caller: from a warm pool (`pool` names it) or provisioned cold. */
export interface Created extends Omit<Acquired, 'source'> {
  source: 'pool' | 'cold';
  pool?: string;
}

/**
 * The one interface between the doors (HTTP routes, the CLI, the E2B protocol) and the sandbox host: parse,
 * policy, engine check, admission, pool hand-out or cold provisioning, and tenancy are decided here, once.
 *
 * @example
 * const service = new SandboxService({ host, policy });
 * const { sandbox } = await service.create({ tenant: 'acme', body: { type: 'docker', image: 'alpine:3' } });
 */
export class SandboxService {
  readonly #host: SandboxHost;
  readonly #policy: SandboxPolicy;
  readonly #storeHealth: (() => StoreHealth) | undefined;
  /** Background processes and terminals in live sandboxes (measured, capped in time by the policy). */
  readonly processes: SandboxProcesses;

  constructor(deps: SandboxServiceDeps) {
    this.#host = deps.host;
    this.#policy = deps.policy;
    this.#storeHealth = deps.storeHealth;
    this.processes = new SandboxProcesses({ host: deps.host, policy: deps.policy });
  }

  /** The server's policy (caps on output, files, timeouts, concurrency). */
  get policy(): SandboxPolicy {
    return this.#policy;
  }

  /** True once the host is shutting down (new work is refused). */
  get closing(): boolean {
    return this.#host.closing;
  }

  /** How many sandboxes are live on this host. */
  get liveCount(): number {
    return this.#host.liveCount;
  }

  /** How many results could not be recorded (the CLI's exit code depends on it). */
  get recordFailures(): number {
    return this.#host.recordFailures;
  }

  /**
   * A sandbox for the caller: `{ pool }` hands out a ready member (or provisions the pool's spec cold), a
   * type's body is parsed, held to the policy and admitted, then provisioned cold; an admitted spec (`admitFlags`)
   * is provisioned as it is. Caller mistakes throw before anything is measured.
   */
  async create(request: CreateRequest): Promise<Created> {
    const { tenant, signal, onResult } = request;
    const options = {
      ...(tenant ? { tenant } : {}),
      ...(signal ? { signal } : {}),
      ...(onResult ? { onResult } : {}),
    };
    if ('body' in request && isPoolRequest(request.body)) {
      const { pool, deadlineMs } = parsePoolRequest(request.body);
      const acquired = await this.#host.acquire(pool, { ...options, ...(deadlineMs ? { deadlineMs } : {}) });
      if (request.labels) this.#host.labels.setLabels(acquired.sandbox.id, request.labels);
      return { ...acquired, pool };
    }
    const admitted =
      'admitted' in request ? request.admitted : await admitBody(this.#host, this.#policy, request.body);
    const deadline = admitted.deadlineMs ? { deadlineMs: admitted.deadlineMs } : {};
    const provisioned = await this.#host.provision(admitted.type, admitted.spec, { ...options, ...deadline });
    if (request.labels) this.#host.labels.setLabels(provisioned.sandbox.id, request.labels);
    return { ...provisioned, source: 'cold' };
  }

  /** A body parsed, held to the policy and admitted against the engine (a refusal records nothing). */
  admit(body: unknown): Promise<Admitted> {
    return admitBody(this.#host, this.#policy, body);
  }

  /** A spec built from CLI flags, held to the server's policy (`server`) or the engine's defaults (`engine`). */
  admitFlags(type: Admitted['type'], built: unknown, choice: PolicyChoice): Promise<Admitted> {
    return admitFlags(this.#host, this.#policy, type, built, choice);
  }

  /** The caller's sandbox `id`: live, gone (with why) or unknown (another tenant's is unknown). */
  find(id: string, tenant: string): Lookup {
    return this.#host.lookup(id, tenant);
  }

  /** True while `id` is a live sandbox (any tenant's: for the doors' own bookkeeping, never shown). */
  alive(id: string): boolean {
    return this.#host.lookup(id).state === 'live';
  }

  /** The tenant's live sandboxes. */
  list(tenant: string): HostSandbox[] {
    return this.#host.list(tenant);
  }

  /** When a live sandbox was made, expires and was last used. */
  times(id: string): SandboxTimes | undefined {
    return this.#host.times(id);
  }

  /** The live sandboxes' labels (a door's record of each: E2B's metadata), removed with them. */
  get labels(): SandboxLabels {
    return this.#host.labels;
  }

  /** The warm pool a live sandbox came from, if any. */
  poolOf(id: string): string | undefined {
    return this.#host.poolOf(id);
  }

  /** Runs a command in a live sandbox, measured by the perf monitor as its own run. */
  exec(sandbox: HostSandbox, cmd: string | readonly string[], options: JobOptions = {}): Promise<JobRun> {
    return this.#host.runJob(sandbox, cmd, options);
  }

  /** Runs a file call or any other use of a live sandbox (activity; the host's shutdown aborts it). */
  use<T>(sandbox: HostSandbox, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#host.use(sandbox, fn, signal);
  }

  /** Runs a file call on a live sandbox, timed by the perf monitor as its own run (`keepOpen` for a stream). */
  files<T>(
    sandbox: HostSandbox,
    fn: (signal: AbortSignal, keepOpen: () => OpenRun) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return measuredUse(this.#host, sandbox, fn, signal);
  }

  /** Lets one door keep a sandbox the sweep would remove (E2B's `autoPause`); see `SandboxHost.keepDue`. */
  keepDue(keep: (id: string, reason: DueReason) => boolean): void {
    this.#host.keepDue(keep);
  }

  /** Moves a live sandbox's expiry to `ttlMs` from now (within the policy); returns the new expiry. */
  extendTtl(id: string, ttlMs: number): number {
    return this.#host.extendTtl(id, ttlMs);
  }

  /** Removes a live sandbox; false when it was not live. */
  dispose(id: string): Promise<boolean> {
    return this.#host.dispose(id);
  }

  /** The engine's runtimes and the policy's verdict on each; undefined when no type here has runtimes. */
  runtimes(): Promise<RuntimesView | undefined> {
    return runtimesView(this.#host, this.#policy);
  }

  /** The templates built on this host. */
  templates(): Promise<TemplateView[]> {
    return templatesView(this.#host);
  }

  /** The warm pools: their stats, waiting until one is full, and whether one of a name exists. */
  readonly pools = {
    stats: (): HostPoolStats[] => this.#host.poolStats(),
    ready: (name: string, options: { signal?: AbortSignal } = {}): Promise<void> =>
      this.#host.poolReady(name, options),
    has: (name: string): boolean => this.#host.poolStats().some((p) => p.name === name),
  };

  /** Records a provisioning measured elsewhere (a browser page) through the host's own recording chain. */
  recordExternal(result: ProvisionResult): Promise<void> {
    return this.#host.recordExternal(result);
  }

  /** Whether the host, its engine and its store answer (`/healthz`). */
  health(): Promise<Health> {
    return healthOf(this.#host, this.#storeHealth);
  }
}
