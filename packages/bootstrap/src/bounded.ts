// The one abort/deadline helper of both adapters. Browser-safe: no `node:*`, only `@sbx/timing/browser`, so the
// WebContainer entry can load it as a plain ES module.
import { isDeadlineAbort } from '@sbx/timing/browser';
import { BootstrapError } from './errors.js';

/** How long to wait, what ends the wait early, and what becomes of a result that arrives too late. */
export interface Bound<T> {
  /** Rejects with `onTimeout()` after this many milliseconds; default `Infinity` (no timer). */
  ms?: number;
  onTimeout?: () => Error;
  /** Rejects with `onAbort(reason)` (default: the reason itself) when this aborts first. */
  signal?: AbortSignal | undefined;
  onAbort?: (reason: unknown) => unknown;
  /** Receives a value that arrives after the wait ended (a stream, a process): destroy it, do not drop it. */
  late?: (value: T) => void;
}

/**
 * Settles like `promise`, or rejects when the timer fires or the signal aborts first; never leaves a timer or
 * listener behind, and hands a value that arrives after that to `bound.late`.
 */
export function bounded<T>(promise: Promise<T>, bound: Bound<T>): Promise<T> {
  const { signal, ms = Number.POSITIVE_INFINITY } = bound;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return false;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
      return true;
    };
    const onAbort = () =>
      finish(() => reject(bound.onAbort ? bound.onAbort(signal?.reason) : signal?.reason));
    // setTimeout (not AbortSignal.timeout) so vitest fake timers drive it.
    const timer = Number.isFinite(ms)
      ? setTimeout(
          () => finish(() => reject(bound.onTimeout?.() ?? new Error(`timed out after ${ms} ms`))),
          Math.max(0, ms),
        )
      : undefined;
    promise.then(
      (value) => {
        if (!finish(() => resolve(value))) bound.late?.(value);
      },
      (error: unknown) => finish(() => reject(error)),
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts; a late value goes to `late`. */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  late?: (value: T) => void,
): Promise<T> {
  return bounded(promise, { signal, ...(late ? { late } : {}) });
}

/**
 * Calls `call` unless `signal` has already aborted (then it rejects with the reason and calls nothing), and
 * settles like `raceAbort`: after an abort no new call starts, and a late result goes to `late`.
 */
export function callUnlessAborted<T>(
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
  late?: (value: T) => void,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return raceAbort(call(), signal, late);
}

/** Runs `onAbort` when `signal` aborts, at once if it already has; returns a function that stops listening. */
export function whenAborted(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** Waits `ms` (a timer, so fake timers drive it), rejecting with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, ms);
    const stop = whenAborted(signal, () => {
      clearTimeout(timer);
      reject(signal?.reason);
    });
  });
}

/** Settles without throwing: the value, or undefined when `promise` rejected. */
export async function settled<T>(promise: Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await promise;
  } catch {
    return undefined;
  }
}

/** The error for a signal that aborted during `phase`: `DEADLINE_EXCEEDED` for a deadline, else `ABORTED`. */
export function abortedDuring(phase: string, reason: unknown): BootstrapError {
  if (isDeadlineAbort(reason)) {
    return new BootstrapError('DEADLINE_EXCEEDED', `the provisioning deadline passed during ${phase}`, {
      cause: reason,
      phase,
      retryable: true,
    });
  }
  return new BootstrapError('ABORTED', `provisioning was aborted during ${phase}`, { cause: reason, phase });
}
