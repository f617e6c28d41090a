import { BootstrapError } from '../errors.js';

/** How long to wait and what to reject with when the wait ends early. */
export interface Bound {
  /** Rejects with `onTimeout()` after this many milliseconds (`Infinity`: no timer). */
  ms: number;
  onTimeout: () => Error;
  /** Rejects with `onAbort(reason)` when this aborts first. */
  signal?: AbortSignal;
  onAbort?: (reason: unknown) => Error;
}

/** Settles like `promise`, or rejects when the timer fires or the signal aborts first; never leaves a timer. */
export function bounded<T>(promise: Promise<T>, bound: Bound): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal } = bound;
    const abortError = (reason: unknown) => bound.onAbort?.(reason) ?? toError(reason);
    if (signal?.aborted) {
      reject(abortError(signal.reason));
      return;
    }
    // setTimeout (not AbortSignal.timeout) so vitest fake timers drive it.
    const timer = Number.isFinite(bound.ms)
      ? setTimeout(() => finish(() => reject(bound.onTimeout())), Math.max(0, bound.ms))
      : undefined;
    const onAbort = () => finish(() => reject(abortError(signal?.reason)));
    signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** The error for a provisioning signal that aborted during `phase`: its deadline passed, or its caller gave up. */
export function abortedDuring(phase: string, reason: unknown): BootstrapError {
  if (isTimeout(reason)) {
    return new BootstrapError('DEADLINE_EXCEEDED', `the provisioning deadline passed during ${phase}`, {
      cause: reason,
      phase,
      retryable: true,
    });
  }
  return new BootstrapError('ABORTED', `provisioning was aborted during ${phase}`, { cause: reason, phase });
}

function isTimeout(reason: unknown): boolean {
  return (
    typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
