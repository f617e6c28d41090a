/** Options of a `SharedRead`. */
export interface SharedReadOptions {
  /** The least time between the starts of two builds (default 1 s). */
  minGapMs?: number;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
  /**
   * What the result depends on (the database's data version, ...): while it reads the same as when the last
   * build started, that build's result is the answer, without waiting or building.
   */
  version?: () => Promise<string> | string;
}

/**
 * A heavy read (the metrics exposition, the KPI snapshot) built once for many callers: callers that arrive
 * while a build is pending share it, and a new build starts at most once per `minGapMs`; a caller that arrives
 * sooner waits for the next one. Each answer is at least as new as the caller's request (no stale reads), and
 * however many callers poll, the event loop does one build per gap; with a `version`, none while it is the same.
 */
export class SharedRead<T> {
  readonly #build: () => Promise<T>;
  readonly #gap: number;
  readonly #now: () => number;
  readonly #version: (() => Promise<string> | string) | undefined;
  #last: { version: string; value: T } | undefined;
  #building: string | undefined;
  #pending: Promise<T> | undefined;
  #startedAt = Number.NEGATIVE_INFINITY;
  #started = false;

  constructor(build: () => Promise<T>, options: SharedReadOptions = {}) {
    this.#build = build;
    this.#gap = options.minGapMs ?? 1_000;
    this.#now = options.now ?? (() => performance.now());
    this.#version = options.version;
  }

  /** The result of a build that saw everything before this call (the last one, while the version holds). */
  async get(): Promise<T> {
    const version = await this.#version?.();
    if (version !== undefined) {
      if (this.#last?.version === version) return this.#last.value;
      // A build running over the same data is as new as this call.
      if (this.#pending && this.#started && this.#building === version) return this.#pending;
    }
    return this.#next();
  }

  #next(): Promise<T> {
    // A build that has not started yet (waiting out the gap) still sees everything before this call.
    if (this.#pending && !this.#started) return this.#pending;
    const previous = this.#pending ?? Promise.resolve();
    this.#started = false;
    const pending: Promise<T> = previous
      .catch(() => {})
      .then(() => {
        const wait = this.#startedAt + this.#gap - this.#now();
        return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : undefined;
      })
      .then(async () => {
        // Callers that arrive while the version is read still share this build: it has read nothing yet.
        const version = await this.#version?.();
        this.#building = version;
        this.#started = true;
        this.#startedAt = this.#now();
        const value = await this.#build();
        if (version !== undefined) this.#last = { version, value };
        return value;
      })
      .finally(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
    this.#pending = pending;
    return pending;
  }
}
