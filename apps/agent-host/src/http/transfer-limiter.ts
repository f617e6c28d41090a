import { AgentHostError } from '../errors.js';

/** Caps on file transfers (uploads and downloads) running at once. */
export interface TransferLimits {
  perTenant: number;
  total: number;
}

/**
 * Counts file transfers under way per tenant and in all, and refuses one past a cap with `TOO_MANY_TRANSFERS`
 * (429): an upload is held in memory until it is checked, so their number bounds the server's memory.
 */
export class TransferLimiter {
  readonly #limits: TransferLimits;
  readonly #running = new Map<string, number>();
  #total = 0;

  constructor(limits: TransferLimits) {
    this.#limits = limits;
  }

  /** Transfers running now, in all. */
  get running(): number {
    return this.#total;
  }

  /** Takes a place for one transfer of `tenant`; returns its release (idempotent), or throws past a cap. */
  reserve(tenant: string): () => void {
    const mine = this.#running.get(tenant) ?? 0;
    if (mine >= this.#limits.perTenant) {
      throw new AgentHostError(
        'TOO_MANY_TRANSFERS',
        `at most ${this.#limits.perTenant} file transfers per tenant at once: wait for one to finish`,
      );
    }
    if (this.#total >= this.#limits.total) {
      throw new AgentHostError(
        'TOO_MANY_TRANSFERS',
        `this host runs at most ${this.#limits.total} file transfers at once: try again shortly`,
      );
    }
    this.#running.set(tenant, mine + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#running.get(tenant) ?? 1) - 1;
      if (left === 0) this.#running.delete(tenant);
      else this.#running.set(tenant, left);
    };
  }
}
