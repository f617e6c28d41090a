import type { SandboxType } from '@sbx/timing';

/** KPI summary of one sandbox type over a window of its newest provisionings (or all of them). */
export interface ProvisioningStats {
  sandboxType: SandboxType;
  /** How many newest rows were considered, or `'all'`. */
  window: number | 'all';
  /** Rows actually in the window (fewer than `window` until that many were recorded). */
  n: number;
  /** Nearest-rank quantiles, mean and max of `durationMs`; `undefined` when `n` is 0. */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  meanMs: number | undefined;
  maxMs: number | undefined;
  /** The SLA limit for this type (`SLA_LIMITS[type]`). */
  slaLimitMs: number;
  /** Rows with `status: 'sla_breach'` (too slow, or failed). */
  slaBreaches: number;
  /** Rows whose bootstrap failed (they carry an error). */
  failures: number;
  /** `(n - failures) / n`, a fraction in [0, 1]; `undefined` when `n` is 0. */
  successRate: number | undefined;
  /** `p95Ms <= slaLimitMs`; `undefined` when `n` is 0. */
  slaMet: boolean | undefined;
}

/** Timing of one named phase across the provisionings of a window. */
export interface PhaseStats {
  phase: string;
  /** How many times the phase ran in the window. */
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Mean offset of the phase's start from the provisioning's start; phases are ordered by it. */
  meanStartMs: number;
}
