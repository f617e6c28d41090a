import {
  type PhaseTiming,
  type ProvisionErrorInfo,
  type ProvisionSource,
  type SandboxType,
  SLA_LIMITS,
} from '@sbx/timing';
import type { ProvisioningKpiRow } from './provisioning-kpi.table.js';
import type { ProvisioningPhaseRow } from './provisioning-phase.table.js';

/** One stored provisioning, as `listRecent()` returns it. */
export interface ProvisionRow {
  id: string;
  sandboxType: SandboxType;
  durationMs: number;
  status: 'ok' | 'sla_breach';
  /** Wall-clock start. */
  timestamp: Date;
  /** The SLA limit it was judged against. */
  slaLimitMs: number;
  /** Present when the bootstrap failed. */
  error?: ProvisionErrorInfo;
  /** Its phases in recorded order (empty when none were timed). */
  phases: PhaseTiming[];
  /** The tenant that asked for it, when known. */
  tenant?: string;
  /** `cold`, `pool` (a warm pool's member handed out) or `refill` (a pool's background provisioning). */
  source: ProvisionSource;
  /** The agent host that measured it, when known. */
  hostId?: string;
  /** The engine runtime it ran under (`runc`, `runsc`), when known. */
  runtime?: string;
  /** Its network (`none`, `egress`), when known. */
  network?: string;
}

/** Joins provisioning rows with their phase rows (phases in `seq` order) into `ProvisionRow`s, keeping row order. */
export function toProvisionRows(
  rows: readonly ProvisioningKpiRow[],
  phases: readonly ProvisioningPhaseRow[],
): ProvisionRow[] {
  const byProvision = new Map<string, ProvisioningPhaseRow[]>();
  for (const phase of phases) {
    const list = byProvision.get(phase.provision_id);
    if (list) list.push(phase);
    else byProvision.set(phase.provision_id, [phase]);
  }
  return rows.map((row) => {
    const result: ProvisionRow = {
      id: row.id,
      sandboxType: row.sandbox_type,
      durationMs: row.duration_ms,
      status: row.status,
      timestamp: new Date(row.timestamp),
      source: row.source ?? 'cold',
      slaLimitMs: row.sla_limit_ms ?? SLA_LIMITS[row.sandbox_type],
      phases: (byProvision.get(row.id) ?? [])
        .sort((a, b) => a.seq - b.seq)
        .map((p) => ({ name: p.name, startMs: p.start_ms, durationMs: p.duration_ms })),
    };
    if (row.tenant !== null && row.tenant !== undefined) result.tenant = row.tenant;
    if (row.host_id !== null && row.host_id !== undefined) result.hostId = row.host_id;
    if (row.runtime !== null && row.runtime !== undefined) result.runtime = row.runtime;
    if (row.network !== null && row.network !== undefined) result.network = row.network;
    if (row.error_name !== null) {
      result.error = { name: row.error_name, message: row.error_message ?? '' };
      if (row.error_code !== null) result.error.code = row.error_code;
      result.error.cause = row.failure_cause ?? 'platform';
    }
    return result;
  });
}
