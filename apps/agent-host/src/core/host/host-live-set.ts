import { describeError, type Logger } from '@sbx/timing';
import { AgentHostError } from '../../errors.js';
import type { Closeable, CloseOptions } from '../../lifecycle/close-once.js';
import { InFlight } from '../../lifecycle/in-flight.js';
import type { GoneReason, HostGoneEvent, HostSandbox } from '../host-adapter.js';
import { LiveSandboxes } from '../live-sandboxes.js';
import { SandboxActivity } from '../sandbox-activity.js';
import { DEFAULT_MAX_TTL_MS } from '../sandbox-host-options.js';
import type { HostLifecycle } from './host-lifecycle.js';

/** What the live set is built from. */
export interface HostLiveSetDeps {
  lifecycle: HostLifecycle;
  logger: Logger;
  /** The longest a sandbox may live, extensions included; default one week. */
  maxTtlMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  now?: (() => number) | undefined;
  /** A place under the caps was freed (a pool that could not refill may now). */
  onFreed: () => void;
  /** An id that went away is no live sandbox: perhaps a pool's ready member. */
  onGoneElsewhere: (id: string, reason: HostGoneEvent['reason']) => void;
}

/**
 * The sandboxes a host owns, with their times (expiry, idleness) and those still being removed; `close()`
 * removes every live one within its timeout.
 */
export class HostLiveSet implements Closeable<{ removed: number; complete: boolean }> {
  readonly sandboxes = new LiveSandboxes();
  readonly activity: SandboxActivity;
  readonly #deps: HostLiveSetDeps;
  // Taken out of the live set, their removal still under way: a last resort must not forget them.
  readonly #removing = new Set<HostSandbox>();

  constructor(deps: HostLiveSetDeps) {
    this.#deps = deps;
    this.activity = new SandboxActivity({
      idleTimeoutMs: deps.idleTimeoutMs,
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  get #maxTtlMs(): number {
    return this.#deps.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
  }

  /** A new sandbox becomes the tenant's, unless the host began closing meanwhile: then it is removed. */
  async adopt(sandbox: HostSandbox, tenant: string, pool?: string): Promise<HostSandbox> {
    if (this.#deps.lifecycle.closing) {
      await sandbox.dispose();
      throw new AgentHostError('HOST_CLOSING', 'the host is shutting down; the new sandbox was removed');
    }
    this.sandboxes.add(sandbox, tenant, pool);
    this.activity.add(sandbox.id, sandbox.expiresAt?.getTime() ?? this.activity.now() + this.#maxTtlMs);
    return sandbox;
  }

  /** Moves a live sandbox's expiry to `ttlMs` from now, within `maxTtlMs` of its creation (`POLICY_LIMIT`). */
  extendTtl(id: string, ttlMs: number): number {
    const times = this.activity.times(id);
    if (!times) throw new AgentHostError('SANDBOX_NOT_FOUND', `no live sandbox ${id}`);
    const maxTtlMs = this.#maxTtlMs;
    const expiresAt = this.activity.now() + ttlMs;
    const limit = times.createdAt + maxTtlMs;
    if (expiresAt > limit) {
      throw new AgentHostError(
        'POLICY_LIMIT',
        `ttlMs: a sandbox lives at most ${maxTtlMs} ms from its creation; at most ${Math.max(0, limit - this.activity.now())} more (server policy)`,
      );
    }
    this.activity.setExpiry(id, expiresAt);
    return expiresAt;
  }

  /** Whether the host keeps this sandbox: live, and its own expiry (maybe extended) still ahead. */
  keeps(id: string): boolean {
    return this.sandboxes.lookup(id).state === 'live' && this.activity.alive(id);
  }

  /** Disposes one live sandbox; false when the id is not live. */
  async dispose(id: string): Promise<boolean> {
    const sandbox = this.sandboxes.take(id);
    if (!sandbox) return false;
    this.#deps.onFreed();
    this.activity.remove(id);
    await this.#deps.lifecycle.track(this.#remove(sandbox));
    return true;
  }

  /** Drops a sandbox that went away (or is due) and removes what is left of it, quietly. */
  gone(id: string, reason: GoneReason): void {
    this.activity.remove(id);
    const sandbox = this.sandboxes.markGone(id, reason);
    if (!sandbox) {
      this.#deps.onGoneElsewhere(id, reason);
      return;
    }
    this.#deps.onFreed();
    this.#deps.logger.warn(`sandbox ${id} is gone (${reason}); it no longer counts as live`);
    // An exited container still exists: remove it now rather than at reap time.
    void this.#deps.lifecycle.track(this.#disposeQuietly(sandbox));
  }

  /** The live sandboxes and those still being removed (for a last-resort removal). */
  leftBehind(): HostSandbox[] {
    return [...this.sandboxes.list(), ...this.#removing];
  }

  /** Takes every live sandbox out and removes them, within `timeoutMs`. */
  async close({ timeoutMs }: CloseOptions): Promise<{ removed: number; complete: boolean }> {
    const live = this.sandboxes.takeAll();
    const removals = new InFlight();
    for (const sandbox of live) {
      this.activity.remove(sandbox.id);
      void removals.track(this.#deps.lifecycle.track(this.#disposeQuietly(sandbox)));
    }
    return { removed: live.length, complete: await removals.settle(timeoutMs) };
  }

  async #remove(sandbox: HostSandbox): Promise<void> {
    this.#removing.add(sandbox);
    try {
      await sandbox.dispose();
    } finally {
      this.#removing.delete(sandbox);
    }
  }

  async #disposeQuietly(sandbox: HostSandbox): Promise<void> {
    try {
      await this.#remove(sandbox);
    } catch (error) {
      this.#deps.logger.error(`could not remove sandbox ${sandbox.id}; \`sbx reap\` will`, {
        error: describeError(error),
      });
    }
  }
}
