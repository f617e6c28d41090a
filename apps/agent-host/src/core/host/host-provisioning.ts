import type { ProvisionResult, SandboxProvisioner, SandboxType } from '@sbx/timing';
import { AgentHostError } from '../../errors.js';
import { type Closeable, type Closed, CloseOnce, type CloseOptions } from '../../lifecycle/close-once.js';
import { InFlight } from '../../lifecycle/in-flight.js';
import type { HostSandboxAdapter } from '../host-adapter.js';
import type { HostPools } from '../host-pools.js';
import type { LiveLimiter } from '../live-limits.js';
import type { ObservedRecorder } from '../observed-recorder.js';
import { DEFAULT_DEADLINE_MS, type ProvisionCallOptions, type Provisioned } from '../sandbox-host-options.js';
import { type HostLifecycle, hostClosingError } from './host-lifecycle.js';
import type { HostLiveSet } from './host-live-set.js';

/** A sandbox handed out by a warm pool: a ready member (`pool`) or, the pool being empty, a cold one. */
export interface Acquired extends Provisioned {
  source: 'pool' | 'cold';
}

/** What the provisioning owner is built from. */
export interface HostProvisioningDeps {
  adapters: Partial<Record<SandboxType, HostSandboxAdapter>>;
  provisioner: SandboxProvisioner;
  recorder: ObservedRecorder;
  lifecycle: HostLifecycle;
  limiter: LiveLimiter;
  live: HostLiveSet;
  pools: HostPools;
  /** Why results cannot be kept now, or undefined (see `SandboxHostDeps.storeRefusal`). */
  storeRefusal?: (() => string | undefined) | undefined;
  deadlineMs?: number | undefined;
}

/**
 * Every new sandbox, cold or from a warm pool: measured through the `SandboxProvisioner`, within the tenant's
 * caps, refused while the host closes or nothing could keep its result, and adopted into the live set.
 * `close()` refuses new provisionings (`HOST_CLOSING`) and waits for those in flight, bounded in time.
 */
export class HostProvisioning implements Closeable {
  readonly #deps: HostProvisioningDeps;
  readonly #inFlight = new InFlight();
  readonly #once = new CloseOnce<Closed>();

  constructor(deps: HostProvisioningDeps) {
    this.#deps = deps;
  }

  /** Provisions a sandbox of `type` through the provisioner; a failure is recorded, then rethrown. */
  async provision(
    type: SandboxType,
    spec: unknown,
    options: ProvisionCallOptions = {},
  ): Promise<Provisioned> {
    this.#refuse();
    const adapter = this.#deps.adapters[type];
    if (!adapter) {
      throw new AgentHostError('UNSUPPORTED_TYPE', `this host does not provision ${type} sandboxes itself`);
    }
    const tenant = options.tenant ?? 'default';
    const pids = adapter.pidsOf?.(spec as never) ?? 0;
    const release = this.#deps.limiter.reserve(tenant, { pids });
    try {
      const provisioned = await this.#track(this.#provision(adapter, spec, tenant, options));
      this.#deps.limiter.holdPids(provisioned.sandbox.id, pids);
      return provisioned;
    } finally {
      release();
    }
  }

  async #provision(
    adapter: HostSandboxAdapter,
    spec: unknown,
    tenant: string,
    options: ProvisionCallOptions,
  ) {
    const { value, ...result } = await this.#deps.provisioner.provision({
      type: adapter.type,
      deadlineMs: options.deadlineMs ?? this.#deps.deadlineMs ?? DEFAULT_DEADLINE_MS,
      signal: this.#deps.lifecycle.withShutdown(options.signal),
      attributes: { tenant, source: 'cold' },
      ...(options.onResult ? { onResult: options.onResult } : {}),
      bootstrapFn: (ctx) => adapter.provision(spec as never, ctx),
    });
    if (!value) throw new Error(`${adapter.type} adapter returned no sandbox`);
    return { sandbox: await this.#deps.live.adopt(value, tenant), result };
  }

  /** Hands out a ready member of pool `name` (source `pool`), or provisions its spec cold (source `cold`). */
  async acquire(name: string, options: ProvisionCallOptions = {}): Promise<Acquired> {
    this.#refuse();
    const { pool, deadlineMs } = this.#deps.pools.get(name);
    const tenant = options.tenant ?? 'default';
    let release: (() => void) | undefined;
    try {
      const lease = await this.#track(
        pool.acquire({
          signal: this.#deps.lifecycle.withShutdown(options.signal),
          deadlineMs: options.deadlineMs ?? deadlineMs,
          attributes: { tenant },
          admit: (source) => {
            release = this.#deps.limiter.reserve(tenant, { handover: source === 'pool' });
          },
        }),
      );
      options.onResult?.(lease.result);
      const sandbox = await this.#track(this.#deps.live.adopt(lease.sandbox, tenant, name));
      return { sandbox, result: lease.result, source: lease.source };
    } finally {
      release?.();
    }
  }

  /** Records a provisioning measured elsewhere (the WebContainer page) through the same chain. */
  async recordExternal(result: ProvisionResult): Promise<void> {
    await this.#deps.recorder.record(result);
  }

  /** How many provisionings (cold or from a pool) are under way. */
  get pending(): number {
    return this.#inFlight.size;
  }

  /**
   * Refuses new provisionings from now on, then resolves once those in flight settled (complete), or when
   * `timeoutMs` passed first (not complete). Aborting them is the lifecycle's shutdown signal, not this.
   * Idempotent: a later call gets the first one's promise.
   */
  close({ timeoutMs }: CloseOptions): Promise<Closed> {
    return this.#once.run(async () => ({ complete: await this.#inFlight.settle(timeoutMs) }));
  }

  // Tracked both here (this owner's close waits for it) and by the lifecycle (the host's pending count).
  #track<T>(promise: Promise<T>): Promise<T> {
    return this.#deps.lifecycle.track(this.#inFlight.track(promise));
  }

  // New work is refused while the host closes, and when nothing could keep its result (none is started then).
  #refuse(): void {
    if (this.#once.started) throw hostClosingError();
    this.#deps.lifecycle.refuseWhenClosing();
    const why = this.#deps.storeRefusal?.();
    if (why === undefined) return;
    throw new AgentHostError(
      'STORE_UNAVAILABLE',
      `new provisionings are refused: the database is unreachable and ${why}; they resume once it is back and the spool is flushed`,
    );
  }
}
