/**
 * Where a handed-out sandbox came from: `cold` (provisioned for the request), `pool` (a ready member of a
 * warm pool) or `refill` (a pool provisioning a member in the background, which no caller waited for).
 */
export const PROVISION_SOURCES = Object.freeze(['cold', 'pool', 'refill'] as const);

/** One of `PROVISION_SOURCES`. */
export type ProvisionSource = (typeof PROVISION_SOURCES)[number];

/** True when `value` names a provision source. */
export function isProvisionSource(value: unknown): value is ProvisionSource {
  return typeof value === 'string' && (PROVISION_SOURCES as readonly string[]).includes(value);
}

/**
 * The source of a result from its `source` attribute; a result without one (provisioned before pools, or
 * measured elsewhere) was `cold`.
 */
export function provisionSourceOf(result: {
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}): ProvisionSource {
  const source = result.attributes?.source;
  return isProvisionSource(source) ? source : 'cold';
}

/**
 * True when a caller waited for this provisioning (`cold` or `pool`): only those are SLA evidence. A
 * `refill` is measured and shown, but left out of the user-facing verdict.
 */
export function isUserFacing(source: ProvisionSource): boolean {
  return source !== 'refill';
}
