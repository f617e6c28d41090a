import { AgentHostError } from '../errors.js';
import { type Closeable, type Closed, CloseOnce, type CloseOptions } from '../lifecycle/close-once.js';
import { InFlight } from '../lifecycle/in-flight.js';
import { hostClosingError } from './host/host-lifecycle.js';
import type { LiveSandboxes } from './live-sandboxes.js';

/** Caps on live sandboxes (provisioned, or still provisioning). */
export interface LiveLimits {
  perTenant: number;
  total: number;
  /** The most the process limits (pids) of all live and provisioning sandboxes may add up to; none by default. */
  pidsBudget?: number;
}

/**
 * Counts provisionings under way per tenant and refuses one that would pass a cap (429 over HTTP). Warm pools'
 * members (ready or refilling) are spares: they count toward the total, and toward a tenant once handed over.
 * `close()` refuses every new reservation (`HOST_CLOSING`) and waits for those held to be released.
 */
export class LiveLimiter implements Closeable {
  readonly #limits: LiveLimits | undefined;
  readonly #live: LiveSandboxes;
  readonly #provisioning = new Map<string, number>();
  // The pids limit of each live sandbox (by id) and of each provisioning under way.
  readonly #livePids = new Map<string, number>();
  #provisioningPids = 0;
  #spares = 0;
  readonly #once = new CloseOnce<Closed>();
  // One promise per reservation held (a tenant's or a spare), settled by its release.
  readonly #held = new InFlight();

  constructor(live: LiveSandboxes, limits: LiveLimits | undefined) {
    this.#live = live;
    this.#limits = limits;
  }

  /**
   * Reserves a place for one provisioning of `tenant`; returns the release, or throws `TOO_MANY_SANDBOXES`.
   * With `handover`, a pool's spare becomes the tenant's (the pool gives its place back at once): only the
   * tenant's cap is checked, the total does not grow. `pids` (the new sandbox's process limit) is held against
   * the pids budget until the release; `holdPids` keeps it for the sandbox while it lives.
   */
  reserve(tenant: string, options: { handover?: boolean; pids?: number } = {}): () => void {
    this.#refuseWhenClosed();
    const pids = options.pids ?? 0;
    this.#check(tenant, options.handover === true);
    this.#checkPids(pids);
    this.#provisioning.set(tenant, (this.#provisioning.get(tenant) ?? 0) + 1);
    this.#provisioningPids += pids;
    return this.#hold(() => {
      const left = (this.#provisioning.get(tenant) ?? 1) - 1;
      if (left === 0) this.#provisioning.delete(tenant);
      else this.#provisioning.set(tenant, left);
      this.#provisioningPids -= pids;
    });
  }

  /** True once `close()` was called: every new reservation is refused. */
  get closed(): boolean {
    return this.#once.started;
  }

  /**
   * Refuses new reservations from now on, then resolves once every reservation held was released (complete),
   * or when `timeoutMs` passed first (not complete). Idempotent: a later call gets the first one's promise.
   */
  close({ timeoutMs }: CloseOptions): Promise<Closed> {
    return this.#once.run(async () => ({ complete: await this.#held.settle(timeoutMs) }));
  }

  #refuseWhenClosed(): void {
    if (this.closed) throw hostClosingError();
  }

  // Runs `release` once, at the first call of the returned function; `close()` waits for that call.
  #hold(release: () => void): () => void {
    let done: () => void = () => {};
    void this.#held.track(new Promise<void>((resolve) => (done = resolve)));
    return once(() => {
      release();
      done();
    });
  }

  /** Counts `pids` against the budget for as long as the sandbox `id` is live. */
  holdPids(id: string, pids: number): void {
    if (pids > 0) this.#livePids.set(id, pids);
  }

  // The pids limits of the live sandboxes (those gone since are forgotten) plus those being provisioned.
  #pidsInUse(): number {
    let used = this.#provisioningPids;
    for (const [id, pids] of this.#livePids) {
      if (this.#live.lookup(id).state === 'live') used += pids;
      else this.#livePids.delete(id);
    }
    return used;
  }

  #checkPids(pids: number): void {
    const budget = this.#limits?.pidsBudget;
    if (budget === undefined || pids === 0) return;
    if (pids > budget) {
      throw new AgentHostError(
        'POLICY_LIMIT',
        `resources.pids: ${pids} is above this host's pids budget of ${budget} for all sandboxes together (server policy)`,
      );
    }
    const used = this.#pidsInUse();
    if (used + pids > budget) {
      throw new AgentHostError(
        'TOO_MANY_SANDBOXES',
        `this host's sandboxes may have at most ${budget} pids in all and ${used} are taken: ask for fewer resources.pids than ${pids}, delete a sandbox, or try again later`,
      );
    }
  }

  /** Reserves a place for one pool member (toward the total only); undefined when the host is full or closed. */
  reserveSpare(): (() => void) | undefined {
    if (this.closed) return undefined;
    if (this.#limits && this.#total() >= this.#limits.total) return undefined;
    this.#spares++;
    return this.#hold(() => {
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
