import { randomUUID } from 'node:crypto';
import { isBootstrapError } from '@sbx/bootstrap';
import {
  describeError,
  type ProvisionResult,
  SandboxPerfMonitor,
  SandboxProvisioner,
  type SandboxRunOutcome,
  type SandboxType,
} from '@sbx/timing';
import { AgentHostError } from '../errors.js';
import { InFlight } from '../lifecycle/in-flight.js';
import type { HostGoneEvent, HostSandbox, HostSandboxAdapter } from './host-adapter.js';
import { type HostPoolStats, HostPools, type PoolDefinition } from './host-pools.js';
import { LiveLimiter } from './live-limits.js';
import { LiveSandboxes, type Lookup } from './live-sandboxes.js';
import { ObservedRecorder } from './observed-recorder.js';
import { type DueReason, SandboxActivity, type SandboxTimes } from './sandbox-activity.js';
import {
  type CloseReport,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_TTL_MS,
  type JobOptions,
  type JobRun,
  type ProvisionCallOptions,
  type Provisioned,
  type SandboxHostDeps,
  SWEEP_INTERVAL_MS,
} from './sandbox-host-options.js';

export {
  type CloseReport,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type JobOptions,
  type JobRun,
  type ProvisionCallOptions,
  type Provisioned,
  type SandboxHostDeps,
} from './sandbox-host-options.js';

/** A sandbox handed out by a warm pool: a ready member (`pool`) or, the pool being empty, a cold one. */
export interface Acquired extends Provisioned {
  source: 'pool' | 'cold';
}

/**
 * The sandbox entry point: every spin-up goes through the `SandboxProvisioner` (recorded with its phases,
 * success or failure), every job through the `SandboxPerfMonitor`; it owns the live sandboxes and, like
 * OpenTelemetry's `shutdown()`, `close()` refuses new work, aborts what is in flight, removes what is live
 * and flushes what is pending, bounded in time.
 */
export class SandboxHost {
  readonly provisioner: SandboxProvisioner;
  readonly perfMonitor: SandboxPerfMonitor;
  readonly #deps: SandboxHostDeps;
  readonly #recorder: ObservedRecorder;
  readonly #live = new LiveSandboxes();
  readonly #inFlight = new InFlight();
  readonly #shutdown = new AbortController();
  readonly #limiter: LiveLimiter;
  readonly #pools: HostPools;
  readonly #activity: SandboxActivity;
  // Taken out of the live set, their removal still under way: a last resort must not forget them.
  readonly #removing = new Set<HostSandbox>();
  readonly #sweeper: ReturnType<typeof setInterval>;
  #closing: Promise<CloseReport> | undefined;
  #keepDue: ((id: string, reason: DueReason) => boolean) | undefined;

  constructor(deps: SandboxHostDeps) {
    this.#deps = deps;
    this.#activity = new SandboxActivity({
      idleTimeoutMs: deps.idleTimeoutMs,
      ...(deps.now ? { now: deps.now } : {}),
    });
    const every = Math.max(50, Math.min(SWEEP_INTERVAL_MS, (deps.idleTimeoutMs ?? SWEEP_INTERVAL_MS) / 4));
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref?.();
    this.#recorder = new ObservedRecorder(deps);
    this.#limiter = new LiveLimiter(this.#live, deps.limits);
    this.provisioner = new SandboxProvisioner({ recorder: this.#recorder, logger: deps.logger });
    this.#pools = new HostPools({
      adapters: deps.adapters,
      provisioner: this.provisioner,
      limiter: this.#limiter,
      logger: deps.logger,
      deadlineMs: deps.deadlineMs ?? DEFAULT_DEADLINE_MS,
    });
    this.perfMonitor = new SandboxPerfMonitor({
      sink: {
        insert: (table, record) => {
          deps.telemetry?.run(record);
          return deps.sink.insert(table, record);
        },
      },
      logger: deps.logger,
      ...(deps.alertThresholdMs === undefined ? {} : { alertThresholdMs: deps.alertThresholdMs }),
    });
    this.perfMonitor.on('overhead-alert', ({ sandboxId, durationMs, thresholdMs }) => {
      const message = `overhead-alert: sandbox ${sandboxId} ran ${Math.round(durationMs)} ms (> ${thresholdMs} ms)`;
      deps.logger.warn(message, { sandboxId, durationMs, thresholdMs });
      const tenant = this.#live.ownerOf(sandboxId);
      const raised = deps.alerts?.raise({
        kind: 'overhead-alert',
        sandboxId,
        valueMs: durationMs,
        thresholdMs,
        message,
        ...(tenant === undefined ? {} : { tenant }),
      });
      if (raised) void this.#inFlight.track(raised);
    });
  }

  /** How many sandboxes are live: provisioned, not disposed, and not gone by the engine's account. */
  get liveCount(): number {
    return this.#live.size;
  }

  /** How many provisioning results could not be stored. */
  get recordFailures(): number {
    return this.#recorder.failures;
  }

  /** True once `close()` was called: new work is refused. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** The adapter for `type`, or undefined when the host does not provision that type itself. */
  adapter(type: SandboxType): HostSandboxAdapter | undefined {
    return this.#deps.adapters[type];
  }

  /** Provisions a sandbox of `type` through the provisioner; a failure is recorded, then rethrown. */
  async provision(
    type: SandboxType,
    spec: unknown,
    options: ProvisionCallOptions = {},
  ): Promise<Provisioned> {
    this.#refuseWhenClosing();
    this.#refuseWhenUnrecorded();
    const adapter = this.#deps.adapters[type];
    if (!adapter) {
      throw new AgentHostError('UNSUPPORTED_TYPE', `this host does not provision ${type} sandboxes itself`);
    }
    const tenant = options.tenant ?? 'default';
    const pids = adapter.pidsOf?.(spec as never) ?? 0;
    const release = this.#limiter.reserve(tenant, { pids });
    try {
      const provisioned = await this.#inFlight.track(this.#provision(adapter, spec, tenant, options));
      this.#limiter.holdPids(provisioned.sandbox.id, pids);
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
    const { value, ...result } = await this.provisioner.provision({
      type: adapter.type,
      deadlineMs: options.deadlineMs ?? this.#deps.deadlineMs ?? DEFAULT_DEADLINE_MS,
      signal: this.#withShutdown(options.signal),
      attributes: { tenant, source: 'cold' },
      ...(options.onResult ? { onResult: options.onResult } : {}),
      bootstrapFn: (ctx) => adapter.provision(spec as never, ctx),
    });
    if (!value) throw new Error(`${adapter.type} adapter returned no sandbox`);
    return { sandbox: await this.#adopt(value, tenant), result };
  }

  // A new sandbox becomes the tenant's, unless the host began closing meanwhile: nobody will ever use it then.
  async #adopt(sandbox: HostSandbox, tenant: string, pool?: string): Promise<HostSandbox> {
    if (this.closing) {
      await sandbox.dispose();
      throw new AgentHostError('HOST_CLOSING', 'the host is shutting down; the new sandbox was removed');
    }
    this.#live.add(sandbox, tenant, pool);
    const maxTtlMs = this.#deps.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
    this.#activity.add(sandbox.id, sandbox.expiresAt?.getTime() ?? this.#activity.now() + maxTtlMs);
    return sandbox;
  }

  /** Starts filling the warm pools `sbx serve --pool-file` declared (their specs already within the policy). */
  startPools(definitions: readonly PoolDefinition[]): void {
    this.#refuseWhenClosing();
    this.#pools.start(definitions);
  }

  /** Every warm pool's size, ready members, refills under way, hits, misses and refill p50/p95. */
  poolStats(): HostPoolStats[] {
    return this.#pools.stats();
  }

  /**
   * Resolves once pool `name` is full; rejects with the failure that stopped its refills for good (a missing
   * image, ...: told to this waiter instead of the log), on close, or when `signal` aborts.
   */
  poolReady(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#pools.get(name).pool.ready(options);
  }

  /**
   * Hands out a ready member of the pool `name` to `tenant` (measured as source `pool`, with an `acquire`
   * phase), or provisions the pool's spec cold when it is empty (source `cold`); within the tenant's caps.
   * Throws `POOL_NOT_FOUND` for a pool this host does not have.
   */
  async acquire(name: string, options: ProvisionCallOptions = {}): Promise<Acquired> {
    this.#refuseWhenClosing();
    this.#refuseWhenUnrecorded();
    const { pool, deadlineMs } = this.#pools.get(name);
    const tenant = options.tenant ?? 'default';
    let release: (() => void) | undefined;
    try {
      const lease = await this.#inFlight.track(
        pool.acquire({
          signal: this.#withShutdown(options.signal),
          deadlineMs: options.deadlineMs ?? deadlineMs,
          attributes: { tenant },
          admit: (source) => {
            release = this.#limiter.reserve(tenant, { handover: source === 'pool' });
          },
        }),
      );
      options.onResult?.(lease.result);
      const sandbox = await this.#adopt(lease.sandbox, tenant, name);
      return { sandbox, result: lease.result, source: lease.source };
    } finally {
      release?.();
    }
  }

  /** Records a provisioning measured elsewhere (the WebContainer page) through the same chain as the host's own. */
  async recordExternal(result: ProvisionResult): Promise<void> {
    await this.#recorder.record(result);
  }

  /** Whether a sandbox is live, gone (and why), or unknown; with `tenant`, others' sandboxes are unknown. */
  lookup(id: string, tenant?: string): Lookup {
    return this.#live.lookup(id, tenant);
  }

  /** The live sandboxes of `tenant`. */
  list(tenant: string): HostSandbox[] {
    return this.#live.listOf(tenant);
  }

  /** The warm pool a live sandbox was asked of (a ready member or the pool's cold fallback), if any. */
  poolOf(id: string): string | undefined {
    return this.#live.poolOf(id);
  }

  /** The live sandbox with this id, if any. */
  get(id: string): HostSandbox | undefined {
    const found = this.#live.lookup(id);
    return found.state === 'live' ? found.sandbox : undefined;
  }

  /**
   * Runs a command in a live sandbox, timed by the perf monitor (success, timeout or error) as its own run:
   * several may run in one sandbox at once. `signal` (a client that went away) and the host's shutdown abort it.
   */
  async runJob(
    sandbox: HostSandbox,
    cmd: string | readonly string[],
    options: JobOptions = {},
  ): Promise<JobRun> {
    this.#refuseWhenClosing();
    const runId = randomUUID();
    this.perfMonitor.start(sandbox.id, { runId });
    return this.#inFlight.track(this.#runJob(sandbox, cmd, options, runId));
  }

  async #runJob(
    sandbox: HostSandbox,
    cmd: string | readonly string[],
    { onRecord, run, ...options }: JobOptions,
    runId: string,
  ): Promise<JobRun> {
    let outcome: SandboxRunOutcome = 'error';
    const done = this.#activity.begin(sandbox.id);
    try {
      const execOptions = { ...options, signal: this.#withShutdown(options.signal) };
      const exec = await (run ? run(cmd, execOptions) : sandbox.exec(cmd, execOptions));
      outcome = exec.exitCode === 0 ? 'success' : 'error';
      const record = this.perfMonitor.stop(sandbox.id, { outcome, runId });
      onRecord?.(record);
      return { exec, record };
    } catch (error) {
      outcome = isBootstrapError(error, 'EXEC_TIMEOUT') ? 'timeout' : 'error';
      const record = this.perfMonitor.stop(sandbox.id, { outcome, runId });
      onRecord?.(record);
      if (isBootstrapError(error, 'SANDBOX_GONE')) this.#gone(sandbox.id, 'exited');
      throw error;
    } finally {
      done();
    }
  }

  /**
   * Runs a file call (or any use that is not a command) on a live sandbox: it counts as activity (the sandbox
   * does not idle meanwhile), the host's shutdown aborts it, and a `SANDBOX_GONE` drops the sandbox.
   */
  async use<T>(
    sandbox: HostSandbox,
    fn: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    this.#refuseWhenClosing();
    const done = this.#activity.begin(sandbox.id);
    try {
      return await this.#inFlight.track(fn(this.#withShutdown(signal)));
    } catch (error) {
      if (isBootstrapError(error, 'SANDBOX_GONE')) this.#gone(sandbox.id, 'exited');
      throw error;
    } finally {
      done();
    }
  }

  /** When a live sandbox was made, expires (by the host's own account) and was last used. */
  times(id: string): SandboxTimes | undefined {
    return this.#activity.times(id);
  }

  /**
   * Moves a live sandbox's expiry to `ttlMs` from now, within `maxTtlMs` of its creation (`POLICY_LIMIT`
   * otherwise); resolves to the new expiry. The container's label keeps the first one: `reap()` asks the host.
   */
  extendTtl(id: string, ttlMs: number): number {
    const times = this.#activity.times(id);
    if (!times) throw new AgentHostError('SANDBOX_NOT_FOUND', `no live sandbox ${id}`);
    const maxTtlMs = this.#deps.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
    const expiresAt = this.#activity.now() + ttlMs;
    const limit = times.createdAt + maxTtlMs;
    if (expiresAt > limit) {
      throw new AgentHostError(
        'POLICY_LIMIT',
        `ttlMs: a sandbox lives at most ${maxTtlMs} ms from its creation; at most ${Math.max(0, limit - this.#activity.now())} more (server policy)`,
      );
    }
    this.#activity.setExpiry(id, expiresAt);
    return expiresAt;
  }

  /** Disposes one live sandbox; false when the id is not live. */
  async dispose(id: string): Promise<boolean> {
    const sandbox = this.#live.take(id);
    if (!sandbox) return false;
    // Its place under the caps is free now: a pool that could not refill may.
    this.#pools.nudge();
    this.#activity.remove(id);
    await this.#inFlight.track(this.#remove(sandbox));
    return true;
  }

  /** Resolves when every adapter's backend answers; rejects with the first that does not. */
  async ping(): Promise<void> {
    await Promise.all(Object.values(this.#deps.adapters).map((adapter) => adapter?.ping?.()));
  }

  /**
   * Runs every adapter's `reap()`, keeping this host's live sandboxes whose own expiry (maybe extended past
   * the container's label) is still ahead; resolves to the ids removed.
   */
  async reap(): Promise<string[]> {
    const adapters = Object.values(this.#deps.adapters);
    const keep = (container: { sandboxId: string }) =>
      this.#live.lookup(container.sandboxId).state === 'live' && this.#activity.alive(container.sandboxId);
    const results = await Promise.all(adapters.map((adapter) => adapter?.reap?.({ keep })));
    return results.flatMap((r) => r?.removed ?? []);
  }

  /** Follows every adapter's engine events, dropping sandboxes that went away, until `close()`. */
  async watch(): Promise<void> {
    const signal = this.#shutdown.signal;
    const onGone = (event: HostGoneEvent) => this.#gone(event.sandboxId, event.reason);
    await Promise.all(
      Object.values(this.#deps.adapters).map((adapter) => adapter?.watch?.(onGone, { signal })),
    );
  }

  /**
   * Refuses new work, aborts provisionings and jobs in flight, removes live sandboxes, and flushes the perf
   * sink and alerts (webhooks included), all within `timeoutMs`; what is still pending then is given up and
   * said so in one line. Idempotent: a second call returns the first one's promise.
   */
  close(options: { timeoutMs?: number } = {}): Promise<CloseReport> {
    this.#closing ??= this.#close(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<CloseReport> {
    const deadline = performance.now() + timeoutMs;
    const left = () => Math.max(0, deadline - performance.now());
    this.#shutdown.abort(new AgentHostError('HOST_CLOSING', 'the host is shutting down'));
    const pools = this.#inFlight.track(this.#pools.close({ timeoutMs: left() }));
    clearInterval(this.#sweeper);
    let complete = await this.#inFlight.settle(left());
    const drained = await pools;
    const live = this.#live.takeAll();
    for (const sandbox of live) this.#activity.remove(sandbox.id);
    for (const sandbox of live) void this.#inFlight.track(this.#disposeQuietly(sandbox));
    void this.#inFlight.track(this.perfMonitor.forceFlush());
    complete = (await this.#inFlight.settle(left())) && complete;
    const alertsFlushed = (await this.#deps.alerts?.flush({ timeoutMs: left() })) ?? true;
    complete &&= alertsFlushed && drained.complete;
    if (!complete) {
      this.#deps.logger.warn(
        `close: gave up after ${timeoutMs} ms on ${this.#inFlight.size} pending task(s); \`sbx reap\` removes any sandbox left`,
      );
    }
    return { removed: live.length + drained.removed, complete };
  }

  /**
   * Last resort before an immediate exit (a second Ctrl-C): asks each adapter to start removing its live
   * sandboxes without waiting; returns their ids so the caller can say what may be left for `sbx reap`.
   */
  abandon(): string[] {
    const live = [...this.#live.list(), ...this.#removing];
    const left: string[] = [];
    for (const [type, adapter] of Object.entries(this.#deps.adapters)) {
      const ids = [
        ...live.filter((s) => s.type === type).map((s) => s.id),
        ...this.#pools.readyIds(type as SandboxType),
      ];
      if (ids.length > 0) adapter?.abandon?.(ids);
      left.push(...ids);
    }
    return left;
  }

  /**
   * Lets one owner keep a sandbox the sweep would remove (the E2B door pauses an `autoPause` one instead):
   * `keep` answers true to leave it live, and then moves its expiry itself (`extendTtl`, within `maxTtlMs`).
   */
  keepDue(keep: (id: string, reason: DueReason) => boolean): void {
    this.#keepDue = keep;
  }

  // Idle sandboxes, and those past the host's own expiry, are removed and remembered as gone (unless kept).
  #sweep(): void {
    if (this.closing) return;
    for (const { id, reason } of this.#activity.due()) {
      if (!this.#keepDue?.(id, reason)) this.#gone(id, reason);
    }
  }

  #gone(id: string, reason: HostGoneEvent['reason']): void {
    this.#activity.remove(id);
    const sandbox = this.#live.markGone(id, reason);
    if (!sandbox) {
      // Not a live sandbox: perhaps a pool's ready member, which the pool then replaces.
      this.#pools.drop(id, reason);
      return;
    }
    this.#pools.nudge();
    this.#deps.logger.warn(`sandbox ${id} is gone (${reason}); it no longer counts as live`);
    // An exited container still exists: remove it now rather than at reap time.
    void this.#inFlight.track(this.#disposeQuietly(sandbox));
  }

  async #remove(sandbox: HostSandbox): Promise<void> {
    this.#removing.add(sandbox);
    try {
      await sandbox.dispose();
    } finally {
      this.#removing.delete(sandbox);
    }
  }

  async #disposeQuietly(sandbox: HostSandbox): Promise<void> {
    try {
      await this.#remove(sandbox);
    } catch (error) {
      this.#deps.logger.error(`could not remove sandbox ${sandbox.id}; \`sbx reap\` will`, {
        error: describeError(error),
      });
    }
  }

  #withShutdown(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#shutdown.signal]) : this.#shutdown.signal;
  }

  // Every provisioning is measured and kept: when nothing could keep its result, none is started.
  #refuseWhenUnrecorded(): void {
    const why = this.#deps.storeRefusal?.();
    if (why === undefined) return;
    throw new AgentHostError(
      'STORE_UNAVAILABLE',
      `new provisionings are refused: the database is unreachable and ${why}; they resume once it is back and the spool is flushed`,
    );
  }

  #refuseWhenClosing(): void {
    if (this.closing) throw new AgentHostError('HOST_CLOSING', 'the host is shutting down; try another host');
  }
}
