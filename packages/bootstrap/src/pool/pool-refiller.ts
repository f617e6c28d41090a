import type { Logger, SandboxProvisioner } from '@sbx/timing';
import { type BootstrapErrorCode, isBootstrapError } from '../errors.js';
import type { PoolHandle, PoolMembers } from './pool-members.js';
import type { PoolAdapter } from './pool-types.js';
import { RefillWindow } from './refill-window.js';

const MAX_RETRY_DELAY_MS = 30_000;
const noop = () => {};
// Failures the same spec will meet every time (when the error says no retry can help): refills stop at the first.
const PERMANENT: ReadonlySet<BootstrapErrorCode> = new Set([
  'IMAGE_NOT_FOUND',
  'PULL_FAILED',
  'INVALID_SPEC',
  'RUNTIME_NOT_FOUND',
]);

/** What a refiller works with: the pool's members, its adapter and spec, and its shutdown signal. */
export interface PoolRefillerDeps<Spec, Handle extends PoolHandle> {
  name: string;
  size: number;
  concurrency: number;
  adapter: PoolAdapter<Spec, Handle>;
  spec: Spec;
  provisioner: SandboxProvisioner;
  members: PoolMembers<Handle>;
  reserve: (() => (() => void) | undefined) | undefined;
  deadlineMs: number;
  retryDelayMs: number;
  logger: Logger;
  /** The pool's shutdown: aborts refills under way and stops new ones. */
  signal: AbortSignal;
  /** Tracks a promise until it settles, so the pool's `close()` can wait for it. */
  track: <T>(promise: Promise<T>) => Promise<T>;
  /** Removes a sandbox that became ready after the pool closed. */
  dispose: (sandbox: Handle) => Promise<void>;
  /** Called when a member became ready. */
  onReady: () => void;
  /** Called once, when a failure no retry can fix stopped the refills (it says so, once). */
  onStopped: (error: Error) => void;
}

/**
 * Keeps a pool's members topped up: at most `concurrency` provisionings at once (each measured as
 * `source: 'refill'`), each into a place `reserve` grants; after a failure, or when no place is free, it waits
 * (doubling after failures in a row, up to 30 s) before trying again. A failure no retry can fix (a missing
 * image, a refused or unresolvable registry, an invalid spec) stops the refills at once (`onStopped`).
 */
export class PoolRefiller<Spec, Handle extends PoolHandle> {
  readonly #d: PoolRefillerDeps<Spec, Handle>;
  readonly #durations = new RefillWindow();
  #refilling = 0;
  #failures = 0;
  #failuresInARow = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stoppedBy: Error | undefined;

  constructor(deps: PoolRefillerDeps<Spec, Handle>) {
    this.#d = deps;
    deps.signal.addEventListener('abort', () => clearTimeout(this.#retryTimer), { once: true });
  }

  /** Refills under way. */
  get refilling(): number {
    return this.#refilling;
  }

  /** Refills that failed since the pool started. */
  get failures(): number {
    return this.#failures;
  }

  /** The failure that stopped the refills for good, if one did. */
  get stoppedBy(): Error | undefined {
    return this.#stoppedBy;
  }

  /** The nearest-rank quantile `q` of the newest refill durations. */
  quantile(q: number): number | undefined {
    return this.#durations.quantile(q);
  }

  /** Starts refills until the pool is full or the concurrency is used, unless it is waiting to retry. */
  fill(): void {
    const d = this.#d;
    if (d.signal.aborted || this.#retryTimer || this.#stoppedBy) return;
    while (d.members.size + this.#refilling < d.size && this.#refilling < d.concurrency) {
      const release = d.reserve ? d.reserve() : noop;
      if (!release) {
        this.#retryLater();
        return;
      }
      this.#refilling++;
      void d.track(this.#refillOne(release));
    }
  }

  /** Fills now if it was only waiting for a free place (not backing off after failures). */
  nudge(): void {
    if (this.#retryTimer && this.#failuresInARow === 0) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    this.fill();
  }

  async #refillOne(release: () => void): Promise<void> {
    const d = this.#d;
    let sandbox: Handle | undefined;
    let facts: Record<string, string> = {};
    try {
      const result = await d.provisioner.provision({
        type: d.adapter.type,
        deadlineMs: d.deadlineMs,
        signal: d.signal,
        attributes: { source: 'refill', pool: d.name },
        bootstrapFn: (ctx) => d.adapter.provision(d.spec, ctx),
      });
      sandbox = result.value;
      const { source: _source, pool: _pool, ...learned } = result.attributes ?? {};
      facts = learned;
      this.#durations.add(result.durationMs);
    } catch (error) {
      release();
      if (!d.signal.aborted) this.#failed(error);
    } finally {
      this.#refilling--;
    }
    if (!sandbox) return;
    if (d.signal.aborted) {
      release();
      return d.dispose(sandbox);
    }
    this.#failuresInARow = 0;
    d.members.add(sandbox, release, facts);
    d.onReady();
    this.fill();
  }

  #failed(error: unknown): void {
    this.#failures++;
    this.#failuresInARow++;
    if (this.#stoppedBy) return;
    if (isBootstrapError(error) && !error.retryable && PERMANENT.has(error.code)) {
      this.#stoppedBy = error;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#d.onStopped(error);
      return;
    }
    const delay = this.#retryLater();
    this.#d.logger.warn(
      `pool ${this.#d.name}: a refill failed (${(error as Error)?.message ?? String(error)}); retrying in ${delay} ms`,
    );
  }

  #retryLater(): number {
    const delay = Math.min(
      MAX_RETRY_DELAY_MS,
      this.#d.retryDelayMs * 2 ** Math.max(0, this.#failuresInARow - 1),
    );
    if (this.#retryTimer || this.#d.signal.aborted) return delay;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.fill();
    }, delay);
    // A pool waiting to retry must not keep a process alive.
    (this.#retryTimer as { unref?: () => void }).unref?.();
    return delay;
  }
}
