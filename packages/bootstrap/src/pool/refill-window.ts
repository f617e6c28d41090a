import { quantile } from '@sbx/timing';

/** How many of the newest refill durations a pool keeps for its p50/p95. */
export const REFILL_WINDOW = 100;

/** The newest refill durations of a pool, bounded, with their nearest-rank quantiles. */
export class RefillWindow {
  readonly #durations: number[] = [];
  #next = 0;

  /** How many durations are kept (at most `REFILL_WINDOW`). */
  get size(): number {
    return this.#durations.length;
  }

  /** Keeps one duration, forgetting the oldest past the window. */
  add(durationMs: number): void {
    if (this.#durations.length < REFILL_WINDOW) this.#durations.push(durationMs);
    else this.#durations[this.#next] = durationMs;
    this.#next = (this.#next + 1) % REFILL_WINDOW;
  }

  /** The nearest-rank quantile `q` of the kept durations; undefined before the first refill. */
  quantile(q: number): number | undefined {
    return quantile(this.#durations, q);
  }
}
