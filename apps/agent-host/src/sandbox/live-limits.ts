import { AgentHostError } from '../errors.js';
import type { LiveSandboxes } from './live-sandboxes.js';

/** Caps on live sandboxes (provisioned, or still provisioning). */
export interface LiveLimits {
  perTenant: number;
  total: number;
}

/** Counts provisionings under way per tenant and refuses one that would pass a cap (429 over HTTP). */
export class LiveLimiter {
  readonly #limits: LiveLimits | undefined;
  readonly #live: LiveSandboxes;
  readonly #provisioning = new Map<string, number>();

  constructor(live: LiveSandboxes, limits: LiveLimits | undefined) {
    this.#live = live;
    this.#limits = limits;
  }

  /** Reserves a place for one provisioning of `tenant`; returns the release, or throws `TOO_MANY_SANDBOXES`. */
  reserve(tenant: string): () => void {
    this.#check(tenant);
    this.#provisioning.set(tenant, (this.#provisioning.get(tenant) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#provisioning.get(tenant) ?? 1) - 1;
      if (left === 0) this.#provisioning.delete(tenant);
      else this.#provisioning.set(tenant, left);
    };
  }

  #check(tenant: string): void {
    const limits = this.#limits;
    if (!limits) return;
    let total = this.#live.size;
    for (const n of this.#provisioning.values()) total += n;
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
