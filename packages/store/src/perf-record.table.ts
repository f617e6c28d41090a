import type { SandboxRunOutcome } from '@sbx/timing';
import type { Generated, Insertable, Selectable } from 'kysely';

/** `sandbox_perf_records`: one row per sandbox run the perf monitor timed. */
export interface PerfRecordTable {
  /** Insertion order (SQLite's rowid, an identity column on PostgreSQL); newest has the highest id. */
  id: Generated<number>;
  sandbox_id: string;
  /** Wall-clock start, epoch milliseconds. */
  start_time: number;
  /** Run time in whole milliseconds. */
  duration_ms: number;
  outcome: SandboxRunOutcome;
  /** 1 when the run exceeded the monitor's alert threshold, else 0. */
  alert_fired: number;
  /** When the row was written, ISO 8601 UTC. */
  created_at: string;
  /** The agent host that timed the run; null when unknown. */
  host_id: string | null;
  /** The writer's key for this row (a replay of the same key is stored once); null when none was given. */
  record_key: string | null;
}

/** A `sandbox_perf_records` row as read. */
export type PerfRecordRow = Selectable<PerfRecordTable>;
/** A `sandbox_perf_records` row as written. */
export type NewPerfRecord = Insertable<PerfRecordTable>;
