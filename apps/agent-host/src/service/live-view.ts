import type { HostSandbox } from '../core/host-adapter.js';
import type { Lookup, SandboxLabels } from '../core/live-sandboxes.js';
import type { SandboxTimes } from '../core/sandbox-activity.js';
import type { SandboxHost } from '../core/sandbox-host.js';

/**
 * The read side of `SandboxService`: what the doors may ask about the host and its live sandboxes (lookups by
 * tenant, lists, times, counts). Nothing here starts, changes or measures a sandbox.
 */
export class LiveView {
  readonly #host: SandboxHost;

  constructor(host: SandboxHost) {
    this.#host = host;
  }

  /** True once the host is shutting down (new work is refused). */
  get closing(): boolean {
    return this.#host.closing;
  }

  /** How many sandboxes are live on this host. */
  get liveCount(): number {
    return this.#host.liveCount;
  }

  /** How many results could not be recorded (the CLI's exit code depends on it). */
  get recordFailures(): number {
    return this.#host.recordFailures;
  }

  /** The caller's sandbox `id`: live, gone (with why) or unknown (another tenant's is unknown). */
  find(id: string, tenant: string): Lookup {
    return this.#host.lookup(id, tenant);
  }

  /** The live sandboxes' labels (a door's record of each: E2B's metadata), removed with them. */
  get labels(): SandboxLabels {
    return this.#host.labels;
  }

  /** True while `id` is a live sandbox (any tenant's: for the doors' own bookkeeping, never shown). */
  alive(id: string): boolean {
    return this.#host.lookup(id).state === 'live';
  }

  /** Throws the engine's error (`ENGINE_UNREACHABLE`) when a type's engine does not answer. */
  ping(): Promise<void> {
    return this.#host.ping();
  }

  /** The live sandbox `id` of any tenant, or undefined (for a door's own bookkeeping, e.g. the bench's reuse check). */
  get(id: string): HostSandbox | undefined {
    return this.#host.get(id);
  }

  /** The tenant's live sandboxes. */
  list(tenant: string): HostSandbox[] {
    return this.#host.list(tenant);
  }

  /** When a live sandbox was made, expires and was last used. */
  times(id: string): SandboxTimes | undefined {
    return this.#host.times(id);
  }

  /** The warm pool a live sandbox came from, if any. */
  poolOf(id: string): string | undefined {
    return this.#host.poolOf(id);
  }
}
