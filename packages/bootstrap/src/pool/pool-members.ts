import type { WallClock } from '@sbx/timing';

/** What a pool needs of a sandbox: its id, a way to remove it, and when `reap()` may remove it anyway. */
export interface PoolHandle {
  readonly id: string;
  dispose(): Promise<void>;
  /** When its owner's `reap()` removes it whatever happens (a Docker sandbox's TTL label). */
  readonly expiresAt?: Date;
}

/** A ready member: the sandbox, the place it holds under the caps, and the timer that recycles it. */
export interface PoolMember<Handle extends PoolHandle> {
  sandbox: Handle;
  /** Gives back the place `reserve()` granted for it (when it is handed out, dropped or drained). */
  release: () => void;
  timer?: ReturnType<typeof setTimeout>;
  /** When (wall clock, ms) it is recycled; a member put back keeps it. */
  staleAt?: number;
  /** What its provisioning learned (the adapter's annotations: `runtime`, `network`), repeated on its hand-out. */
  facts: Readonly<Record<string, string>>;
}

/**
 * The ready members of a pool, oldest first (each handed out once, so the oldest goes first and none waits
 * for its expiry). A member is recycled once it waited `maxIdleMs`, or, without it, half the lifetime it
 * had left when it became ready: whoever takes one gets at least half its TTL.
 */
export class PoolMembers<Handle extends PoolHandle> {
  readonly #ready: PoolMember<Handle>[] = [];
  readonly #maxIdleMs: number | undefined;
  readonly #wallClock: WallClock;
  readonly #onStale: (member: PoolMember<Handle>) => void;

  constructor(options: {
    maxIdleMs: number | undefined;
    wallClock: WallClock;
    onStale: (member: PoolMember<Handle>) => void;
  }) {
    this.#maxIdleMs = options.maxIdleMs;
    this.#wallClock = options.wallClock;
    this.#onStale = options.onStale;
  }

  /** How many members are ready. */
  get size(): number {
    return this.#ready.length;
  }

  /** The ids of the ready members. */
  ids(): string[] {
    return this.#ready.map((m) => m.sandbox.id);
  }

  /** Adds a member that just became ready, and arms its recycling timer. */
  add(sandbox: Handle, release: () => void, facts: Readonly<Record<string, string>> = {}): void {
    const member: PoolMember<Handle> = { sandbox, release, facts };
    const idleMs = this.#idleMs(sandbox);
    if (idleMs !== undefined) member.staleAt = this.#wallClock.now().getTime() + idleMs;
    this.#arm(member);
    this.#ready.push(member);
  }

  /** Takes the oldest member out, or undefined when none is ready. */
  take(): PoolMember<Handle> | undefined {
    const member = this.#ready.shift();
    if (member) clearTimeout(member.timer);
    return member;
  }

  /** Puts a member taken by `take()` back in front (its taker was refused), recycled when it would have been. */
  putBack(member: PoolMember<Handle>): void {
    this.#arm(member);
    this.#ready.unshift(member);
  }

  /** Takes the member with this sandbox id out, or undefined when it is not ready here. */
  takeById(id: string): PoolMember<Handle> | undefined {
    const member = this.#ready.find((m) => m.sandbox.id === id);
    return member && this.#remove(member) ? member : undefined;
  }

  /** Takes every member out (the pool drains). */
  takeAll(): PoolMember<Handle>[] {
    const all = this.#ready.splice(0);
    for (const member of all) clearTimeout(member.timer);
    return all;
  }

  /** Arms the timer that recycles `member` at its `staleAt`. */
  #arm(member: PoolMember<Handle>): void {
    if (member.staleAt === undefined) return;
    const ms = Math.max(0, member.staleAt - this.#wallClock.now().getTime());
    member.timer = setTimeout(() => {
      if (this.#remove(member)) this.#onStale(member);
    }, ms);
    // A pool waiting for takers must not keep a process alive.
    (member.timer as { unref?: () => void }).unref?.();
  }

  #remove(member: PoolMember<Handle>): boolean {
    const at = this.#ready.indexOf(member);
    if (at < 0) return false;
    this.#ready.splice(at, 1);
    clearTimeout(member.timer);
    return true;
  }

  #idleMs(sandbox: Handle): number | undefined {
    if (this.#maxIdleMs !== undefined) return this.#maxIdleMs;
    if (!sandbox.expiresAt) return undefined;
    return Math.max(0, (sandbox.expiresAt.getTime() - this.#wallClock.now().getTime()) / 2);
  }
}
