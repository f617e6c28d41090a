/** Tracks promises under way so a shutdown can wait for them, bounded in time. */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  /** How many are under way. */
  get size(): number {
    return this.#pending.size;
  }

  /** Tracks `promise` until it settles; returns it unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
    return promise;
  }

  /**
   * Resolves true once all settled (new ones included), or false when `timeoutMs` passed first; without a
   * finite `timeoutMs` it waits as long as it takes.
   */
  async settle(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    });
    const drained = (async () => {
      while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
      return true as const;
    })();
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
