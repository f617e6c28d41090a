import type { GoneReason, HostSandbox as SandboxHandle } from './host-adapter.js';

export type { GoneReason };

/** A live sandbox's labels: its doors' record of it (E2B's metadata), set at create and removed with it. */
export interface SandboxLabels {
  labelsOf(id: string): Readonly<Record<string, string>> | undefined;
  /** Replaces a live sandbox's labels; false when it is not live. */
  setLabels(id: string, labels: Record<string, string>): boolean;
}

/** What `LiveSandboxes.lookup()` finds for an id. */
export type Lookup =
  | { state: 'live'; sandbox: SandboxHandle }
  | { state: 'gone'; reason: GoneReason }
  | { state: 'unknown' };

// Ids of gone sandboxes are kept so a caller learns 410 rather than 404; bounded, oldest forgotten first.
const MAX_GONE = 10_000;

/** The sandboxes a host owns right now, and the recently gone ones; the engine's events keep it true. */
export class LiveSandboxes implements SandboxLabels {
  readonly #live = new Map<string, SandboxHandle>();
  readonly #owners = new Map<string, string>();
  readonly #pools = new Map<string, string>();
  readonly #gone = new Map<string, { reason: GoneReason; tenant: string }>();
  readonly #labels = new Map<string, Readonly<Record<string, string>>>();

  /** How many sandboxes are live (provisioned, not disposed, not gone). */
  get size(): number {
    return this.#live.size;
  }

  /** Adds a freshly provisioned sandbox, owned by `tenant`; `pool` is the warm pool it was asked of. */
  add(sandbox: SandboxHandle, tenant: string, pool?: string): void {
    this.#gone.delete(sandbox.id);
    this.#live.set(sandbox.id, sandbox);
    this.#owners.set(sandbox.id, tenant);
    if (pool !== undefined) this.#pools.set(sandbox.id, pool);
  }

  /** A live sandbox's labels (its doors' record of it: E2B's metadata), kept with it and removed with it. */
  labelsOf(id: string): Readonly<Record<string, string>> | undefined {
    return this.#labels.get(id);
  }

  /** Replaces a live sandbox's labels (a door sets them at create, or at a pool member's hand-out); false if not live. */
  setLabels(id: string, labels: Record<string, string>): boolean {
    if (!this.#live.has(id)) return false;
    this.#labels.set(id, Object.freeze({ ...labels }));
    return true;
  }

  /** The warm pool a live sandbox was asked of, if any. */
  poolOf(id: string): string | undefined {
    return this.#pools.get(id);
  }

  /** Live, gone (and why), or unknown; with `tenant`, another tenant's sandbox is unknown. */
  lookup(id: string, tenant?: string): Lookup {
    const sandbox = this.#live.get(id);
    if (sandbox && (tenant === undefined || this.#owners.get(id) === tenant))
      return { state: 'live', sandbox };
    const gone = this.#gone.get(id);
    if (gone && (tenant === undefined || gone.tenant === tenant))
      return { state: 'gone', reason: gone.reason };
    return { state: 'unknown' };
  }

  /** The tenant that owns a live sandbox. */
  ownerOf(id: string): string | undefined {
    return this.#owners.get(id);
  }

  /** How many live sandboxes `tenant` owns. */
  countOf(tenant: string): number {
    let n = 0;
    for (const owner of this.#owners.values()) if (owner === tenant) n++;
    return n;
  }

  /** The live sandboxes of `tenant`. */
  listOf(tenant: string): SandboxHandle[] {
    return [...this.#live.values()].filter((s) => this.#owners.get(s.id) === tenant);
  }

  /** Takes a sandbox out because its owner disposes of it; resolves to it, or undefined if not live. */
  take(id: string): SandboxHandle | undefined {
    const sandbox = this.#live.get(id);
    this.#live.delete(id);
    this.#owners.delete(id);
    this.#pools.delete(id);
    this.#labels.delete(id);
    return sandbox;
  }

  /** Marks a sandbox gone (it died or was removed behind the host's back); returns it if it was live. */
  markGone(id: string, reason: GoneReason): SandboxHandle | undefined {
    const tenant = this.#owners.get(id) ?? '';
    const sandbox = this.take(id);
    if (!sandbox) return undefined;
    this.#gone.set(id, { reason, tenant });
    if (this.#gone.size > MAX_GONE) {
      const oldest = this.#gone.keys().next().value;
      if (oldest !== undefined) this.#gone.delete(oldest);
    }
    return sandbox;
  }

  /** The live sandboxes, left in place. */
  list(): SandboxHandle[] {
    return [...this.#live.values()];
  }

  /** Takes every live sandbox out (shutdown). */
  takeAll(): SandboxHandle[] {
    const all = [...this.#live.values()];
    this.#live.clear();
    this.#owners.clear();
    this.#labels.clear();
    return all;
  }
}
