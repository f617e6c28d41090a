// Shared by the unit and integration tests. Not built into dist.
import type { BootstrapError } from '@sbx/bootstrap';

/** The rejection of `promise`, with a handler attached at once so advancing timers never sees it unhandled. */
export function failureOf(promise: Promise<unknown>): Promise<BootstrapError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as BootstrapError,
  );
}
