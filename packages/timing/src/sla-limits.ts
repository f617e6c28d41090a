/** The kinds of sandbox sbx provisions. */
export type SandboxType = 'docker' | 'webcontainer';

/** Every sandbox type, in a stable order (for validation and reports). */
export const SANDBOX_TYPES: readonly SandboxType[] = Object.freeze(['docker', 'webcontainer'] as const);

// [1_PRD-REQ-MET-009] [9_ROADMAP-REQ-044]
/** Provisioning SLA per sandbox type, in milliseconds: the single source of truth tests and reports import. */
export const SLA_LIMITS: Readonly<Record<SandboxType, number>> = Object.freeze({
  docker: 30_000,
  webcontainer: 10_000,
});

/** True when `value` names a known sandbox type. */
export function isSandboxType(value: unknown): value is SandboxType {
  return value === 'docker' || value === 'webcontainer';
}
