import type { SandboxType } from '@sbx/timing';
import type { Generated, Insertable, Selectable } from 'kysely';

/** What raised an alert: a sandbox run over the perf monitor's threshold, or a provisioning over its SLA. */
export type AlertKind = 'overhead-alert' | 'sla-breach';

/** `sandbox_alerts`: one row per overhead alert or SLA breach. */
export interface SandboxAlertTable {
  /** Insertion order (SQLite's rowid, an identity column on PostgreSQL). */
  id: Generated<number>;
  kind: AlertKind;
  sandbox_type: SandboxType | null;
  sandbox_id: string | null;
  /** The measured value in milliseconds (run or provisioning duration). */
  value_ms: number;
  /** The threshold it crossed, in milliseconds. */
  threshold_ms: number;
  /** One human line: what happened. */
  message: string;
  /** When it was raised, ISO 8601 UTC. */
  created_at: string;
  /** The tenant whose sandbox or provisioning raised it; null when unknown. */
  tenant: string | null;
  /** The agent host that raised it; null when unknown. */
  host_id: string | null;
  /** The writer's key for this row (a replay of the same key is stored once); null when none was given. */
  record_key: string | null;
}

/** A `sandbox_alerts` row as read. */
export type SandboxAlertRow = Selectable<SandboxAlertTable>;
/** A `sandbox_alerts` row as written. */
export type NewSandboxAlert = Insertable<SandboxAlertTable>;
