import type { SandboxType } from '@sbx/timing';
import type { Selectable } from 'kysely';

/**
 * `sandbox_provisioning_rollups`: per sandbox type, period (`''` for all time, else the UTC hour as
 * `YYYY-MM-DDTHH`), agent host and runtime, what the rows of `sandbox_provisioning_kpis` add up to (the fleet's
 * figures are the sum over hosts). Kept by triggers; read-only.
 */
export interface ProvisioningRollupTable {
  sandbox_type: SandboxType;
  period: string;
  /** The rows' `host_id`, `''` when they have none. */
  host_id: string;
  /** The rows' `runtime`, `''` when they have none. */
  runtime: string;
  /** Provisionings that count as SLA evidence (not cancelled, not failed by their caller). */
  n: number;
  /** Of those, failed ones. */
  failures: number;
  /** Provisionings their caller cancelled. */
  cancelled: number;
  /** Provisionings that failed by their caller's doing (not cancelled): left out of `n` like cancellations. */
  caller_failures: number;
  /** Of the `n`, those that failed or took longer than their own limit. */
  breaches: number;
  /** Sum and maximum of the durations of provisionings that became ready. */
  ready_sum_ms: number;
  ready_max_ms: number | null;
}

/**
 * `sandbox_provisioning_latency_buckets`: the latency sketch of ready provisionings per sandbox type and period:
 * how many durations fell in each logarithmic bucket (see `latency-sketch.ts`), keyed like the rollups. Kept by
 * triggers; read-only.
 */
export interface LatencyBucketTable {
  sandbox_type: SandboxType;
  period: string;
  host_id: string;
  runtime: string;
  bucket: number;
  count: number;
}

/** A `sandbox_provisioning_rollups` row as read. */
export type ProvisioningRollupRow = Selectable<ProvisioningRollupTable>;
/** A `sandbox_provisioning_latency_buckets` row as read. */
export type LatencyBucketRow = Selectable<LatencyBucketTable>;
