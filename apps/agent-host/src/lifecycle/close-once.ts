/** The options every owner's `close()` takes: how long it may take at most. */
export interface CloseOptions {
  timeoutMs: number;
}

/** What an owner's `close()` reports: false when the timeout passed before all it held was released. */
export interface Closed {
  complete: boolean;
}

/** Something that holds a resource and releases it, bounded in time (OpenTelemetry's `shutdown()`). */
export interface Closeable<R extends Closed = Closed> {
  close(options: CloseOptions): Promise<R>;
}

/**
 * Runs a close at most once: the first `run()` starts it, every later call gets the same promise. `started`
 * turns true at the first call, so an owner can refuse new work from that moment on.
 */
export class CloseOnce<T> {
  #closing: Promise<T> | undefined;

  /** True once `run()` was called. */
  get started(): boolean {
    return this.#closing !== undefined;
  }

  /** Starts `close` on the first call; resolves to its result on every call. */
  run(close: () => Promise<T>): Promise<T> {
    this.#closing ??= close();
    return this.#closing;
  }
}

/** The milliseconds left of a `timeoutMs` budget that starts now (never negative). */
export function budget(timeoutMs: number): () => number {
  const deadline = performance.now() + timeoutMs;
  return () => Math.max(0, deadline - performance.now());
}
