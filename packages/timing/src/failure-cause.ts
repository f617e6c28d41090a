/**
 * Whose fault a failed provisioning was. `platform`: the host, the engine or the machine (engine down, a
 * deadline in the image/create/start phases, a pull of an image that exists failing, OOM at start): SLA
 * evidence. `caller`: what the caller asked for (an image that does not exist, a command that exits before it
 * is ready, a readiness check its command never passes, an invalid spec): recorded and shown apart, like a
 * cancellation, never judged.
 */
export const FAILURE_CAUSES = Object.freeze(['platform', 'caller'] as const);

/** One of `FAILURE_CAUSES`. */
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** True when `value` names a failure cause. */
export function isFailureCause(value: unknown): value is FailureCause {
  return typeof value === 'string' && (FAILURE_CAUSES as readonly string[]).includes(value);
}

/**
 * The cause an error says it has (a `failureCause` property, as `@sbx/bootstrap`'s errors carry); an error that
 * says nothing (a bug, an unknown library's error) is the platform's.
 */
export function failureCauseOfError(error: unknown): FailureCause {
  const cause = (error as { failureCause?: unknown } | null)?.failureCause;
  return isFailureCause(cause) ? cause : 'platform';
}

/**
 * True when the result failed because of its caller (`error.cause === 'caller'`): it keeps its record but is
 * left out of the SLA verdict and raises no alert; a failure without a cause (recorded before causes) is the
 * platform's.
 */
export function isCallerFailure(result: {
  readonly error?: { readonly cause?: unknown } | undefined;
}): boolean {
  return result.error !== undefined && result.error.cause === 'caller';
}
