// One table of sandbox types: everything else (the type list, its guard, the SLA limits, CLI choices,
// schemas, metric buckets, the dashboard) derives from it. Adding a type is one entry here and an adapter.
/** What sbx knows of each kind of sandbox it provisions. */
export const SANDBOX_TYPE_TABLE = Object.freeze({
  docker: Object.freeze({ slaLimitMs: 30_000, description: 'a Docker container on the host' }),
  webcontainer: Object.freeze({ slaLimitMs: 10_000, description: 'a StackBlitz WebContainer in a browser' }),
} as const);

/** The kinds of sandbox sbx provisions. */
export type SandboxType = keyof typeof SANDBOX_TYPE_TABLE;

/** Every sandbox type, in a stable order (for validation and reports). */
export const SANDBOX_TYPES: readonly SandboxType[] = Object.freeze(
  Object.keys(SANDBOX_TYPE_TABLE) as SandboxType[],
);

// [1_PRD-REQ-MET-009] [9_ROADMAP-REQ-044]
/** Provisioning SLA per sandbox type, in milliseconds: the single source of truth tests and reports import. */
export const SLA_LIMITS: Readonly<Record<SandboxType, number>> = Object.freeze(
  Object.fromEntries(SANDBOX_TYPES.map((type) => [type, SANDBOX_TYPE_TABLE[type].slaLimitMs])) as Record<
    SandboxType,
    number
  >,
);

/** True when `value` names a known sandbox type. */
export function isSandboxType(value: unknown): value is SandboxType {
  return typeof value === 'string' && Object.hasOwn(SANDBOX_TYPE_TABLE, value);
}
