/**
 * Where a handed-out sandbox came from: `cold` (provisioned for the request), `pool` (a ready member of a
 * warm pool) or `refill` (a pool provisioning a member in the background, which no caller waited for); or
 * `client`: measured and reported by a client (a browser page through `POST /v1/provisions`), which the host
 * cannot check.
 */
export const PROVISION_SOURCES = Object.freeze(['cold', 'pool', 'refill', 'client'] as const);

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
 * True when a caller waited for this provisioning and the host measured it (`cold` or `pool`): only those are
 * SLA evidence. A `refill` (no caller waited) and a `client` row (a client's own report, which anyone holding a
 * token could forge) are measured and shown apart, but left out of the verdict.
 */
export function isUserFacing(source: ProvisionSource): boolean {
  return source === 'cold' || source === 'pool';
}

/** The sources `isUserFacing` leaves out of the verdict (`refill`, `client`). */
export const UNJUDGED_SOURCES: readonly ProvisionSource[] = Object.freeze(
  PROVISION_SOURCES.filter((source) => !isUserFacing(source)),
);
