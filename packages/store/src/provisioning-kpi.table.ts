import type { ProvisionSource, SandboxType } from '@sbx/timing';
import type { Insertable, Selectable } from 'kysely';

/** `sandbox_provisioning_kpis`: one row per sandbox provisioning, failures included. */
export interface ProvisioningKpiTable {
  /** `crypto.randomUUID()`. */
  id: string;
  sandbox_type: SandboxType;
  /** Total provisioning time in milliseconds (fractional). */
  duration_ms: number;
  status: 'ok' | 'sla_breach';
  /** Wall-clock start as ISO 8601 UTC (`2026-11-22T10:00:00.000Z`), so text order is time order. */
  timestamp: string;
  /** The SLA limit the provisioning was judged against. */
  sla_limit_ms: number | null;
  /** Set when the bootstrap failed. */
  error_name: string | null;
  error_message: string | null;
  error_code: string | null;
  /** The tenant that asked for it (the `tenant` attribute); null when unknown. */
  tenant: string | null;
  /** `cold`, `pool` or `refill` (the `source` attribute); refills are left out of the SLA verdict. */
  source: ProvisionSource;
}

/** A `sandbox_provisioning_kpis` row as read. */
export type ProvisioningKpiRow = Selectable<ProvisioningKpiTable>;
/** A `sandbox_provisioning_kpis` row as written. */
export type NewProvisioningKpi = Insertable<ProvisioningKpiTable>;
