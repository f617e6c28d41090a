import type { Closeable } from '../../lifecycle/close-once.js';
import type { DueReason } from '../sandbox-activity.js';
import { SWEEP_INTERVAL_MS } from '../sandbox-host-options.js';

/** What the sweep reads and what it does with a sandbox that is due. */
export interface ExpirySweepDeps {
  /** The sandboxes due now: idle too long, or past the host's own expiry. */
  due: () => Array<{ id: string; reason: DueReason }>;
  /** Ends a due sandbox: the host removes it and remembers it as gone with `reason`. */
  expire: (id: string, reason: DueReason) => void;
  /** True while the host closes: the close removes every sandbox itself. */
  closing: () => boolean;
  /** The idle timeout, if any: the sweep runs at least four times within it. */
  idleTimeoutMs?: number | undefined;
}

/**
 * The timer that ends idle and expired sandboxes. The expiry decision lives in `sweep()` alone, so a hook
 * that keeps a sandbox instead of ending it goes there.
 */
export class ExpirySweep implements Closeable {
  readonly #deps: ExpirySweepDeps;
  readonly #timer: ReturnType<typeof setInterval>;
  #keep: ((id: string, reason: DueReason) => boolean) | undefined;

  constructor(deps: ExpirySweepDeps) {
    this.#deps = deps;
    const every = Math.max(50, Math.min(SWEEP_INTERVAL_MS, (deps.idleTimeoutMs ?? SWEEP_INTERVAL_MS) / 4));
    this.#timer = setInterval(() => this.sweep(), every);
    this.#timer.unref?.();
  }

  /** Ends every sandbox that is due now (nothing while the host closes). */
  sweep(): void {
    if (this.#deps.closing()) return;
    for (const { id, reason } of this.#deps.due()) {
      if (!this.#keep?.(id, reason)) this.#deps.expire(id, reason);
    }
  }

  /**
   * Lets one owner keep a sandbox the sweep would end (the E2B door pauses an `autoPause` one instead): `keep`
   * answers true to leave it live, and then moves its expiry itself (`extendTtl`, within `maxTtlMs`).
   */
  keepDue(keep: (id: string, reason: DueReason) => boolean): void {
    this.#keep = keep;
  }

  /** Stops the timer. */
  async close(): Promise<{ complete: boolean }> {
    clearInterval(this.#timer);
    return { complete: true };
  }
}
