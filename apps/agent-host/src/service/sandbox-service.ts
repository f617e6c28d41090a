import type { ProvisionResult, SandboxType } from '@sbx/timing';
import type { HostSandbox } from '../core/host-adapter.js';
import { measuredUse, type OpenRun } from '../core/measured-use.js';
import type { DueReason } from '../core/sandbox-activity.js';
import type {
  Acquired,
  JobOptions,
  JobRun,
  ProvisionCallOptions,
  SandboxHost,
} from '../core/sandbox-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { SandboxProcesses } from '../core/sandbox-processes.js';
import { type Admitted, admitBuilt, admitRequest, type PolicyChoice } from '../kinds/admit-request.js';
import { parseSandboxBody } from '../kinds/sandbox-body.js';
import type { StoreHealth } from '../spool/spooled-store.js';
import { LiveView } from './live-view.js';
import { isPoolRequest, parsePoolRequest } from './pool-request.js';
import {
  leftOnEngine,
  type RuntimesView,
  runtimesView,
  type TemplateView,
  templatesView,
} from './runtime-views.js';
import { type Health, healthOf } from './service-health.js';
import { type ServicePools, servicePools } from './service-pools.js';

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
export class SandboxService extends LiveView {
  readonly #host: SandboxHost;
  readonly #policy: SandboxPolicy;
  readonly #storeHealth: (() => StoreHealth) | undefined;
  /** Background processes and terminals in live sandboxes (measured, capped in time by the policy). */
  readonly processes: SandboxProcesses;
  /** The warm pools: their stats, waiting until one is full, whether one of a name exists, their admission. */
  readonly pools: ServicePools;

  constructor(deps: SandboxServiceDeps) {
    super(deps.host);
    this.#host = deps.host;
    this.#policy = deps.policy;
    this.#storeHealth = deps.storeHealth;
    this.processes = new SandboxProcesses({ host: deps.host, policy: deps.policy });
    this.pools = servicePools(deps.host, deps.policy);
  }

  /**
   * A body checked against `policy` without a host or an engine call (a door checking its flags before it opens
   * one); throws what `admit` throws for a caller's mistake in the body itself.
   */
  static check(body: unknown, policy: SandboxPolicy): void {
    parseSandboxBody(body, policy);
  }

  /** The server's policy (caps on output, files, timeouts, concurrency). */
  get policy(): SandboxPolicy {
    return this.#policy;
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
      'admitted' in request ? request.admitted : await admitRequest(request.body, this.#policy, this.#host);
    const deadline = admitted.deadlineMs ? { deadlineMs: admitted.deadlineMs } : {};
    const provisioned = await this.#host.provision(admitted.type, admitted.spec, { ...options, ...deadline });
    if (request.labels) this.#host.labels.setLabels(provisioned.sandbox.id, request.labels);
    return { ...provisioned, source: 'cold' };
  }

  /** A body parsed, held to the policy and admitted against the engine (a refusal records nothing). */
  admit(body: unknown): Promise<Admitted> {
    return admitRequest(body, this.#policy, this.#host);
  }

  /** A spec built from CLI flags, held to the server's policy (`server`) or the engine's defaults (`engine`). */
  admitFlags(type: Admitted['type'], built: unknown, choice: PolicyChoice): Promise<Admitted> {
    return admitBuilt(type, built, this.#policy, this.#host.adapter(type), choice);
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

  /** Follows the engines' events: sandboxes that die or are removed behind the host's back leave the live set. */
  watch(): Promise<void> {
    return this.#host.watch();
  }

  /** Last resort before an immediate exit: starts removing what is left; returns the ids for `sbx reap`. */
  abandon(): string[] {
    return this.#host.abandon();
  }

  /** Removes what crashed owners left behind or what outlived its expiry (the live ones kept); resolves to ids. */
  reap(): Promise<string[]> {
    return this.#host.reap();
  }

  /** Removes a live sandbox; false when it was not live. */
  dispose(id: string): Promise<boolean> {
    return this.#host.dispose(id);
  }

  /** The engine's runtimes and the policy's verdict on each; undefined when no type here has runtimes. */
  runtimes(): Promise<RuntimesView | undefined> {
    return runtimesView(this.#host, this.#policy);
  }

  /** How many sandboxes of this host's owner are left on `type`'s engine (also after `close()`). */
  leftOnEngine(type: SandboxType): Promise<number> {
    return leftOnEngine(this.#host, type);
  }

  /** The templates built on this host. */
  templates(): Promise<TemplateView[]> {
    return templatesView(this.#host);
  }

  /** Records a provisioning measured elsewhere (a browser page) through the host's own recording chain. */
  recordExternal(result: ProvisionResult): Promise<void> {
    return this.#host.recordExternal(result);
  }

  /** Whether the host, its engine and its store answer (`/healthz`). */
  health(): Promise<Health> {
    return healthOf(this.#host, this.#storeHealth);
  }
}
