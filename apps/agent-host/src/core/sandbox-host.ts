import type { ProvisionResult, SandboxPerfMonitor, SandboxProvisioner, SandboxType } from '@sbx/timing';
import { type HostOwnerSet, hostOwners } from './host/host-owners.js';
import type { Acquired } from './host/host-provisioning.js';
import { abandonHost, drainHost } from './host/host-shutdown.js';
import type { HostGoneEvent, HostSandbox, HostSandboxAdapter } from './host-adapter.js';
import type { HostPoolStats, PoolDefinition } from './host-pools.js';
import type { Lookup, SandboxLabels } from './live-sandboxes.js';
import type { DueReason, SandboxTimes } from './sandbox-activity.js';
import {
  type CloseReport,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type JobOptions,
  type JobRun,
  type ProvisionCallOptions,
  type Provisioned,
  type SandboxHostDeps,
} from './sandbox-host-options.js';

export type { Acquired } from './host/host-provisioning.js';
export {
  type CloseReport,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type JobOptions,
  type JobRun,
  type ProvisionCallOptions,
  type Provisioned,
  type SandboxHostDeps,
} from './sandbox-host-options.js';

/**
 * The sandbox entry point, a facade over owners of one job each (core/host/): lifecycle (the gate, the
 * shutdown signal, what is in flight), provisioning, jobs, the live set, the expiry sweep, the caps and the
 * warm pools. Every spin-up goes through the `SandboxProvisioner`, every job through the `SandboxPerfMonitor`;
 * `close()` refuses new work, aborts what is in flight, removes what is live and flushes, bounded in time.
 *
 * @example
 * const host = new SandboxHost({ recorder, sink, adapters: { docker }, logger });
 * const { sandbox } = await host.provision('docker', { image: 'node:20' }, { tenant: 'a' });
 * await host.runJob(sandbox, ['node', '--version']);
 * await host.close({ timeoutMs: 1_500 });
 */
export class SandboxHost {
  readonly provisioner: SandboxProvisioner;
  readonly perfMonitor: SandboxPerfMonitor;
  readonly #deps: SandboxHostDeps;
  readonly #o: HostOwnerSet;

  constructor(deps: SandboxHostDeps) {
    this.#deps = deps;
    this.#o = hostOwners(deps);
    this.provisioner = this.#o.provisioner;
    this.perfMonitor = this.#o.jobs.perfMonitor;
  }

  /** How many sandboxes are live: provisioned, not disposed, and not gone by the engine's account. */
  get liveCount(): number {
    return this.#o.live.sandboxes.size;
  }

  /** How many provisioning results could not be stored. */
  get recordFailures(): number {
    return this.#o.recorder.failures;
  }

  /** True once `close()` was called: new work is refused. */
  get closing(): boolean {
    return this.#o.lifecycle.closing;
  }

  /** The adapter for `type`, or undefined when the host does not provision that type itself. */
  adapter(type: SandboxType): HostSandboxAdapter | undefined {
    return this.#deps.adapters[type];
  }

  /** Provisions a sandbox of `type` through the provisioner; a failure is recorded, then rethrown. */
  provision(type: SandboxType, spec: unknown, options: ProvisionCallOptions = {}): Promise<Provisioned> {
    return this.#o.provisioning.provision(type, spec, options);
  }

  /** Starts filling the warm pools `sbx serve --pool-file` declared (their specs already within the policy). */
  startPools(definitions: readonly PoolDefinition[]): void {
    this.#o.lifecycle.refuseWhenClosing();
    this.#o.pools.start(definitions);
  }

  /** Every warm pool's size, ready members, refills under way, hits, misses and refill p50/p95. */
  poolStats(): HostPoolStats[] {
    return this.#o.pools.stats();
  }

  /** Resolves once pool `name` is full; rejects with what stopped its refills for good, on close or abort. */
  poolReady(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#o.pools.get(name).pool.ready(options);
  }

  /** A ready member of pool `name` for the tenant (source `pool`), else its spec cold (`cold`); `POOL_NOT_FOUND`. */
  acquire(name: string, options: ProvisionCallOptions = {}): Promise<Acquired> {
    return this.#o.provisioning.acquire(name, options);
  }

  /** Records a provisioning measured elsewhere (the WebContainer page) through the same chain as the host's own. */
  recordExternal(result: ProvisionResult): Promise<void> {
    return this.#o.provisioning.recordExternal(result);
  }

  /** Whether a sandbox is live, gone (and why), or unknown; with `tenant`, others' sandboxes are unknown. */
  lookup(id: string, tenant?: string): Lookup {
    return this.#o.live.sandboxes.lookup(id, tenant);
  }

  /** The live sandboxes of `tenant`. */
  list(tenant: string): HostSandbox[] {
    return this.#o.live.sandboxes.listOf(tenant);
  }

  /** The warm pool a live sandbox was asked of (a ready member or the pool's cold fallback), if any. */
  poolOf(id: string): string | undefined {
    return this.#o.live.sandboxes.poolOf(id);
  }

  /** The live sandboxes' labels (a door's record of each, e.g. E2B's metadata: set at create, removed with it). */
  get labels(): SandboxLabels {
    return this.#o.live.sandboxes;
  }

  /** The live sandbox with this id, if any. */
  get(id: string): HostSandbox | undefined {
    const found = this.#o.live.sandboxes.lookup(id);
    return found.state === 'live' ? found.sandbox : undefined;
  }

  /** Runs a command in a live sandbox, timed by the perf monitor as its own run; `signal` and close abort it. */
  runJob(sandbox: HostSandbox, cmd: string | readonly string[], options: JobOptions = {}): Promise<JobRun> {
    return this.#o.jobs.runJob(sandbox, cmd, options);
  }

  /** Runs a file call (or any use that is not a command) on a live sandbox: activity, aborted on close. */
  use<T>(sandbox: HostSandbox, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#o.jobs.use(sandbox, fn, signal);
  }

  /** When a live sandbox was made, expires (by the host's own account) and was last used. */
  times(id: string): SandboxTimes | undefined {
    return this.#o.live.activity.times(id);
  }

  /** Moves a live sandbox's expiry to `ttlMs` from now, within `maxTtlMs` of its creation (`POLICY_LIMIT`). */
  extendTtl(id: string, ttlMs: number): number {
    return this.#o.live.extendTtl(id, ttlMs);
  }

  /** Disposes one live sandbox; false when the id is not live. */
  dispose(id: string): Promise<boolean> {
    return this.#o.live.dispose(id);
  }

  /** Resolves when every adapter's backend answers; rejects with the first that does not. */
  async ping(): Promise<void> {
    await Promise.all(Object.values(this.#deps.adapters).map((adapter) => adapter?.ping?.()));
  }

  /** Runs every adapter's `reap()`, keeping the live sandboxes whose own expiry is ahead; resolves to ids removed. */
  async reap(): Promise<string[]> {
    const keep = (container: { sandboxId: string }) => this.#o.live.keeps(container.sandboxId);
    const results = await Promise.all(Object.values(this.#deps.adapters).map((a) => a?.reap?.({ keep })));
    return results.flatMap((r) => r?.removed ?? []);
  }

  /** Follows every adapter's engine events, dropping sandboxes that went away, until `close()`. */
  async watch(): Promise<void> {
    const signal = this.#o.lifecycle.signal;
    const onGone = (event: HostGoneEvent) => this.#o.live.gone(event.sandboxId, event.reason);
    await Promise.all(Object.values(this.#deps.adapters).map((a) => a?.watch?.(onGone, { signal })));
  }

  /**
   * Refuses new work, aborts provisionings and jobs in flight, removes live sandboxes, flushes the perf sink and
   * alerts, within `timeoutMs`; what is still pending is then given up, said in one line. Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<CloseReport> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    const { alerts, logger } = this.#deps;
    return this.#o.lifecycle.close({ timeoutMs }, (t) => drainHost({ ...this.#o, alerts, logger }, t));
  }

  /**
   * Lets one owner keep a sandbox the sweep would remove (the E2B door pauses an `autoPause` one instead):
   * `keep` answers true to leave it live, and then moves its expiry itself (`extendTtl`, within `maxTtlMs`).
   */
  keepDue(keep: (id: string, reason: DueReason) => boolean): void {
    this.#o.sweep.keepDue(keep);
  }

  /** Last resort before an immediate exit (a second Ctrl-C): starts removing what is left; returns the ids. */
  abandon(): string[] {
    return abandonHost(this.#o, this.#deps.adapters);
  }
}
