import { AgentHostError } from '../errors.js';

/** One count a slot is taken from: its key, its cap, and what a refusal says (what to do included). */
export interface Claim {
  key: string;
  cap: number;
  refusal: string;
}

/**
 * Counts what runs at once under named keys (commands per sandbox and per tenant, log follows per tenant and
 * in all) and refuses a slot that would pass a cap with `TOO_MANY_CONCURRENT` (429 over HTTP). A slot is held
 * until its release is called; calling it again does nothing.
 */
export class ConcurrencyCaps {
  readonly #counts = new Map<string, number>();

  /** Takes one slot from every claim's count, or none (and throws) when any is at its cap. */
  acquire(claims: readonly Claim[]): () => void {
    for (const claim of claims) {
      if (this.count(claim.key) >= claim.cap) throw new AgentHostError('TOO_MANY_CONCURRENT', claim.refusal);
    }
    for (const claim of claims) this.#counts.set(claim.key, this.count(claim.key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const claim of claims) {
        const left = this.count(claim.key) - 1;
        if (left > 0) this.#counts.set(claim.key, left);
        else this.#counts.delete(claim.key);
      }
    };
  }

  /** Slots held under `key`. */
  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }
}
