import type { Insertable, Selectable } from 'kysely';

/** `sandbox_provisioning_phases`: the named phases of one provisioning, in the order they were recorded. */
export interface ProvisioningPhaseTable {
  /** `sandbox_provisioning_kpis.id` (deleting a provisioning deletes its phases). */
  provision_id: string;
  /** 0-based position of the phase within its provisioning. */
  seq: number;
  name: string;
  /** Milliseconds from the start of the provisioning to the start of the phase. */
  start_ms: number;
  duration_ms: number;
}

/** A `sandbox_provisioning_phases` row as read. */
export type ProvisioningPhaseRow = Selectable<ProvisioningPhaseTable>;
/** A `sandbox_provisioning_phases` row as written. */
export type NewProvisioningPhase = Insertable<ProvisioningPhaseTable>;
