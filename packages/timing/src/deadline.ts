/** The abort reason of a provisioning whose deadline passed (a `DOMException` named `TimeoutError`). */
export function deadlineReason(deadlineMs: number): DOMException {
  return new DOMException(`deadline of ${deadlineMs} ms exceeded`, 'TimeoutError');
}

/**
 * True when an abort reason is a deadline (`TimeoutError`, as `deadlineReason` and `AbortSignal.timeout`
 * make) rather than a caller giving up: the one test every adapter and the host use.
 */
export function isDeadlineAbort(reason: unknown): boolean {
  return (reason as { name?: unknown } | null | undefined)?.name === 'TimeoutError';
}
