import { AgentHostError } from '../../errors.js';
import { type Closed, CloseOnce, type CloseOptions } from '../../lifecycle/close-once.js';
import { InFlight } from '../../lifecycle/in-flight.js';

/** The error every owner refuses new work with once it is closing (503 over HTTP). */
export function hostClosingError(): AgentHostError {
  return new AgentHostError('HOST_CLOSING', 'the host is shutting down; try another host');
}

/**
 * The host's one gate and one in-flight tracker: new work is refused from the first `close()` call, every
 * provisioning, job, removal and flush is tracked, and the shutdown signal aborts every engine call.
 */
export class HostLifecycle {
  readonly #inFlight = new InFlight();
  readonly #shutdown = new AbortController();
  readonly #once = new CloseOnce<unknown>();

  /** True once `close()` was called: new work is refused. */
  get closing(): boolean {
    return this.#once.started;
  }

  /** Aborted when the host starts closing. */
  get signal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** How many tracked tasks are still under way. */
  get pending(): number {
    return this.#inFlight.size;
  }

  /** Throws `HOST_CLOSING` once the host is closing. */
  refuseWhenClosing(): void {
    if (this.closing) throw hostClosingError();
  }

  /** `signal` joined with the host's shutdown: either aborts the call. */
  withShutdown(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#shutdown.signal]) : this.#shutdown.signal;
  }

  /** Tracks `promise` until it settles, so `close()` waits for it; returns it unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    return this.#inFlight.track(promise);
  }

  /** Resolves true once everything tracked settled (new ones included), false when `timeoutMs` passed first. */
  settle(timeoutMs: number): Promise<boolean> {
    return this.#inFlight.settle(timeoutMs);
  }

  /**
   * Closes once: refuses new work, aborts the shutdown signal, then runs `drain` (the other owners' closes, in
   * order) bounded by `timeoutMs`. A later call gets the first one's promise; without `drain` it waits for what
   * is in flight.
   */
  close<R extends Closed = Closed>(
    { timeoutMs }: CloseOptions,
    drain?: (timeoutMs: number) => Promise<R>,
  ): Promise<R> {
    return this.#once.run(async () => {
      this.#shutdown.abort(new AgentHostError('HOST_CLOSING', 'the host is shutting down'));
      return drain ? drain(timeoutMs) : { complete: await this.settle(timeoutMs) };
    }) as Promise<R>;
  }
}
