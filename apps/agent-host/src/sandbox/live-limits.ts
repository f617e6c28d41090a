import { AgentHostError } from '../errors.js';
import type { LiveSandboxes } from './live-sandboxes.js';

/** Caps on live sandboxes (provisioned, or still provisioning). */
export interface LiveLimits {
  perTenant: number;
  total: number;
}

/**
 * Counts provisionings under way per tenant and refuses one that would pass a cap (429 over HTTP). Warm pools'
 * members (ready or refilling) are spares: they count toward the total, and toward a tenant once handed over.
 */
export class LiveLimiter {
  readonly #limits: LiveLimits | undefined;
  readonly #live: LiveSandboxes;
  readonly #provisioning = new Map<string, number>();
  #spares = 0;

  constructor(live: LiveSandboxes, limits: LiveLimits | undefined) {
    this.#live = live;
    this.#limits = limits;
  }

  /**
   * Reserves a place for one provisioning of `tenant`; returns the release, or throws `TOO_MANY_SANDBOXES`.
   * With `handover`, a pool's spare becomes the tenant's (the pool gives its place back at once): only the
   * tenant's cap is checked, the total does not grow.
   */
  reserve(tenant: string, options: { handover?: boolean } = {}): () => void {
    this.#check(tenant, options.handover === true);
    this.#provisioning.set(tenant, (this.#provisioning.get(tenant) ?? 0) + 1);
    return once(() => {
      const left = (this.#provisioning.get(tenant) ?? 1) - 1;
      if (left === 0) this.#provisioning.delete(tenant);
      else this.#provisioning.set(tenant, left);
    });
  }

  /** Reserves a place for one pool member (toward the total only); undefined when the host is full. */
  reserveSpare(): (() => void) | undefined {
    if (this.#limits && this.#total() >= this.#limits.total) return undefined;
    this.#spares++;
    return once(() => {
      this.#spares--;
    });
  }

  #total(): number {
    let total = this.#live.size + this.#spares;
    for (const n of this.#provisioning.values()) total += n;
    return total;
  }

  #check(tenant: string, handover: boolean): void {
    const limits = this.#limits;
    if (!limits) return;
    const total = handover ? 0 : this.#total();
    const mine = this.#live.countOf(tenant) + (this.#provisioning.get(tenant) ?? 0);
    if (mine >= limits.perTenant) {
      throw new AgentHostError(
        'TOO_MANY_SANDBOXES',
        `at most ${limits.perTenant} live sandboxes per tenant: delete one first`,
      );
    }
    if (total >= limits.total) {
      throw new AgentHostError(
        'TOO_MANY_SANDBOXES',
        `this host runs at most ${limits.total} live sandboxes: try again later`,
      );
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
