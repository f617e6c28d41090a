import { consoleLogger, describeError, type Logger, SandboxProvisioner, systemWallClock } from '@sbx/timing';
import { bounded } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import { type PoolHandle, PoolMembers } from './pool-members.js';
import { PoolRefiller } from './pool-refiller.js';
import type {
  AcquireOptions,
  LeaseSource,
  PoolCloseReport,
  PoolLease,
  PoolStats,
  SandboxPoolOptions,
} from './pool-types.js';

const noop = () => {};

/**
 * A warm pool: keeps `size` sandboxes ready so `acquire()` hands one out at once. Each member is handed out
 * once and never comes back (disposing of it is the caller's); the pool refills in the background, at most
 * `refillConcurrency` at a time, within the places `reserve` grants. When it is empty, `acquire()` provisions
 * cold. Hand-outs (`source` `pool` or `cold`, with an `acquire` phase) and refills (`refill`) go through the
 * provisioner, so they are measured like any provisioning. `close()` drains it.
 *
 * @example
 * await using pool = new SandboxPool({ adapter: new DockerAdapter({ docker }), spec, size: 4 });
 * await pool.ready();
 * const { sandbox, source } = await pool.acquire(); // source 'pool': ready in about a millisecond
 * await sandbox.exec(['python', '-c', 'print(1)']);
 * await sandbox.dispose();
 */
export class SandboxPool<Spec, Handle extends PoolHandle> implements AsyncDisposable {
  readonly name: string;
  readonly size: number;
  readonly #o: SandboxPoolOptions<Spec, Handle>;
  readonly #provisioner: SandboxProvisioner;
  readonly #logger: Logger;
  readonly #members: PoolMembers<Handle>;
  readonly #refiller: PoolRefiller<Spec, Handle>;
  readonly #shutdown = new AbortController();
  readonly #pending = new Set<Promise<unknown>>();
  // Each wakes one `ready()`: without an error when the pool is full, with one when its refills stopped for good.
  readonly #waiters = new Set<(error?: Error) => void>();
  #hits = 0;
  #misses = 0;
  #dropped = 0;
  #closing: Promise<PoolCloseReport> | undefined;

  constructor(options: SandboxPoolOptions<Spec, Handle>) {
    const { size, refillConcurrency = Math.min(size, 4) } = options;
    if (!Number.isInteger(size) || size < 1) invalid(`size must be a whole number >= 1, got ${size}`);
    if (!Number.isInteger(refillConcurrency) || refillConcurrency < 1)
      invalid(`refillConcurrency must be a whole number >= 1, got ${refillConcurrency}`);
    this.#o = options;
    this.name = options.name ?? 'pool';
    this.size = size;
    this.#logger = options.logger ?? consoleLogger;
    this.#provisioner = options.provisioner ?? new SandboxProvisioner({ logger: this.#logger });
    this.#members = new PoolMembers<Handle>({
      maxIdleMs: options.maxIdleMs,
      wallClock: options.wallClock ?? systemWallClock,
      onStale: (member) => this.#discard(member, 'recycled after waiting too long'),
    });
    this.#refiller = new PoolRefiller({
      ...options,
      name: this.name,
      concurrency: refillConcurrency,
      provisioner: this.#provisioner,
      members: this.#members,
      reserve: options.reserve,
      deadlineMs: options.refillDeadlineMs ?? 60_000,
      retryDelayMs: options.retryDelayMs ?? 500,
      logger: this.#logger,
      signal: this.#shutdown.signal,
      track: (promise) => this.#track(promise),
      dispose: (sandbox) => this.#dispose(sandbox),
      onReady: () => {
        if (this.#members.size >= this.size) for (const wake of this.#waiters) wake();
      },
      // Said once: to whoever waits in ready(), or else in one logged line.
      onStopped: (error) => {
        if (this.#waiters.size === 0) {
          this.#logger.error(
            `pool ${this.name}: refills stopped, they cannot succeed (${error.message}); fix the pool's spec and start again`,
          );
        }
        for (const wake of this.#waiters) wake(error);
      },
    });
    if (options.watch !== false && options.adapter.watch) {
      const onGone = (event: { sandboxId: string }) => this.drop(event.sandboxId);
      options.adapter.watch(onGone, { signal: this.#shutdown.signal }).catch((error: unknown) => {
        this.#logger.warn(`pool ${this.name}: not watching engine events`, { error: describeError(error) });
      });
    }
    this.#refiller.fill();
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Hands out a ready member, or provisions one cold when none is ready; rejects with `POOL_CLOSED` once closed. */
  async acquire(options: AcquireOptions = {}): Promise<PoolLease<Handle>> {
    if (this.closed) throw closedError(this.name);
    if (options.signal?.aborted) throw options.signal.reason;
    const member = this.#members.take();
    const source: LeaseSource = member ? 'pool' : 'cold';
    try {
      options.admit?.(source);
    } catch (error) {
      if (member) this.#members.putBack(member);
      throw error;
    }
    if (member) {
      this.#hits++;
      member.release();
    } else this.#misses++;
    // Refill once this hand-out is done: a refill's first engine calls take event-loop time the taker would wait.
    setImmediate(() => this.#refiller.fill());
    const { adapter, spec } = this.#o;
    const { value, ...result } = await this.#track(
      this.#provisioner.provision({
        type: adapter.type,
        signal: anySignal(options.signal, this.#shutdown.signal),
        attributes: { ...options.attributes, source, pool: this.name },
        ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
        bootstrapFn: member
          ? (ctx) => {
              ctx.annotate(member.facts);
              return ctx.phase('acquire', () => member.sandbox);
            }
          : async (ctx) => {
              await ctx.phase('acquire', noop);
              return adapter.provision(spec, ctx);
            },
      }),
    );
    return { sandbox: value as Handle, source, result };
  }

  /**
   * Resolves once `size` members are ready; rejects with `POOL_CLOSED` on close, when `signal` aborts, or with the
   * failure that stopped the refills for good (a missing image, ...).
   */
  ready(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.name));
    if (this.#members.size >= this.size) return Promise.resolve();
    const stopped = this.#refiller.stoppedBy;
    if (stopped) return Promise.reject(stopped);
    let waiter: (error?: Error) => void = noop;
    const full = new Promise<void>((resolve, reject) => {
      waiter = (error) => (error ? reject(error) : resolve());
      this.#waiters.add(waiter);
    });
    return bounded(full, { signal: anySignal(options.signal, this.#shutdown.signal) }).finally(() =>
      this.#waiters.delete(waiter),
    );
  }

  /** Drops a ready member (its container died or was removed) and refills; false when `id` is not one. */
  drop(id: string, why = 'gone'): boolean {
    const member = this.#members.takeById(id);
    if (!member) return false;
    this.#discard(member, why);
    return true;
  }

  /** Tries to refill now: a place under the caps may have been freed. */
  refill(): void {
    this.#refiller.nudge();
  }

  /** The ids of the ready members (for a last-resort removal). */
  readyIds(): string[] {
    return this.#members.ids();
  }

  /** How the pool is doing: ready, refills under way, hits, misses, refill p50/p95. */
  stats(): PoolStats {
    const stopped = this.#refiller.stoppedBy;
    return {
      name: this.name,
      size: this.size,
      ready: this.#members.size,
      refilling: this.#refiller.refilling,
      hits: this.#hits,
      misses: this.#misses,
      dropped: this.#dropped,
      refillFailures: this.#refiller.failures,
      refillP50Ms: this.#refiller.quantile(0.5),
      refillP95Ms: this.#refiller.quantile(0.95),
      ...(stopped ? { stoppedBy: String((stopped as { code?: unknown }).code ?? stopped.name) } : {}),
    };
  }

  /**
   * Refuses new hand-outs, aborts refills and cold provisionings under way, and removes every ready member,
   * within `timeoutMs` (default 1,500); idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<PoolCloseReport> {
    this.#closing ??= this.#close(options.timeoutMs ?? 1_500);
    return this.#closing;
  }

  /** `await using pool = new SandboxPool(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(timeoutMs: number): Promise<PoolCloseReport> {
    this.#shutdown.abort(closedError(this.name));
    const members = this.#members.takeAll();
    for (const member of members) {
      member.release();
      void this.#track(this.#dispose(member.sandbox));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, false);
    });
    const complete = await Promise.race([this.#settled(), timeout]);
    clearTimeout(timer);
    if (!complete)
      this.#logger.warn(
        `pool ${this.name}: gave up closing after ${timeoutMs} ms; reap() removes what is left`,
      );
    return { removed: members.length, complete };
  }

  async #settled(): Promise<true> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    return true;
  }

  #discard(member: { sandbox: Handle; release: () => void }, why: string): void {
    this.#dropped++;
    member.release();
    this.#logger.warn(`pool ${this.name}: member ${member.sandbox.id} dropped (${why}); refilling`);
    void this.#track(this.#dispose(member.sandbox));
    this.#refiller.fill();
  }

  async #dispose(sandbox: Handle): Promise<void> {
    try {
      await sandbox.dispose();
    } catch (error) {
      this.#logger.error(`pool ${this.name}: could not remove ${sandbox.id}; reap() will`, {
        error: describeError(error),
      });
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const forget = () => this.#pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

function anySignal(signal: AbortSignal | undefined, shutdown: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, shutdown]) : shutdown;
}

function invalid(why: string): never {
  throw new BootstrapError('INVALID_SPEC', `invalid SandboxPool options: ${why}`);
}

function closedError(name: string): BootstrapError {
  return new BootstrapError('POOL_CLOSED', `pool ${name} is closed`);
}
