/** When a sandbox was made, when it expires, and when it was last used. */
export interface SandboxTimes {
  /** Epoch milliseconds. */
  createdAt: number;
  /** The host's own expiry (the container's label cannot change, so an extension lives here). */
  expiresAt: number;
  /** When the last command or file call ended (or began, while one is under way). */
  lastActiveAt: number;
  /** Commands and file calls under way. */
  busy: number;
}

/** Why the host stops a sandbox on its own. */
export type DueReason = 'idle' | 'expired';

/** Options of a `SandboxActivity`. */
export interface SandboxActivityOptions {
  /** Wall-clock milliseconds; default `Date.now`. */
  now?: () => number;
  /** A sandbox with nothing under way for this long is due (`idle`); none when undefined. */
  idleTimeoutMs?: number | undefined;
}

/** Tracks each live sandbox's times, so the host can stop those idle too long or past their expiry. */
export class SandboxActivity {
  readonly #times = new Map<string, SandboxTimes>();
  readonly #now: () => number;
  readonly #idleTimeoutMs: number | undefined;

  constructor(options: SandboxActivityOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#idleTimeoutMs = options.idleTimeoutMs;
  }

  /** Now, by the clock this tracker uses. */
  now(): number {
    return this.#now();
  }

  /** Starts tracking a new sandbox. */
  add(id: string, expiresAt: number): void {
    const now = this.#now();
    this.#times.set(id, { createdAt: now, expiresAt, lastActiveAt: now, busy: 0 });
  }

  /** A copy of a sandbox's times, or undefined when not tracked. */
  times(id: string): SandboxTimes | undefined {
    const times = this.#times.get(id);
    return times && { ...times };
  }

  /** Marks a command or file call under way; the returned function marks it done (idempotent). */
  begin(id: string): () => void {
    const times = this.#times.get(id);
    if (!times) return () => {};
    times.busy += 1;
    times.lastActiveAt = this.#now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      times.busy -= 1;
      times.lastActiveAt = this.#now();
    };
  }

  /** Moves a sandbox's expiry. */
  setExpiry(id: string, expiresAt: number): void {
    const times = this.#times.get(id);
    if (times) times.expiresAt = expiresAt;
  }

  /** Stops tracking a sandbox. */
  remove(id: string): void {
    this.#times.delete(id);
  }

  /** Whether the host's expiry of a tracked sandbox is still ahead (true for untracked ones: not ours to judge). */
  alive(id: string, at = this.#now()): boolean {
    const times = this.#times.get(id);
    return times === undefined || times.expiresAt > at;
  }

  /** The sandboxes to stop now: past their expiry, or idle (nothing under way) for `idleTimeoutMs`. */
  due(at = this.#now()): Array<{ id: string; reason: DueReason }> {
    const due: Array<{ id: string; reason: DueReason }> = [];
    for (const [id, times] of this.#times) {
      if (times.expiresAt <= at) due.push({ id, reason: 'expired' });
      else if (
        this.#idleTimeoutMs !== undefined &&
        times.busy === 0 &&
        at - times.lastActiveAt >= this.#idleTimeoutMs
      ) {
        due.push({ id, reason: 'idle' });
      }
    }
    return due;
  }
}
