import {
  judgeSla,
  nearestRankIndex,
  type SandboxType,
  SLA_LIMITS,
  SLA_QUANTILE,
  type SlaVerdict,
} from '@sbx/timing';

/** Which provisionings a `ProvisioningStats` covers: the newest n valid ones, all, or whole UTC hours. */
export type StatsWindow = number | 'all' | { since: Date; until: Date | undefined };

/**
 * KPI summary of one sandbox type over a window of its provisionings. Cancelled provisionings and caller failures
 * are left out of every figure but `cancelled` and `callerFailures`; latency figures describe the provisionings
 * that became ready.
 */
export interface ProvisioningStats {
  sandboxType: SandboxType;
  /** The newest `window` valid provisionings, `'all'`, or whole UTC hours `[since, until)`. */
  window: StatsWindow;
  /** Provisionings judged: the window without cancelled ones and caller failures. */
  n: number;
  /** Nearest-rank quantiles, mean and max of the durations of provisionings that became ready (no error). */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  meanMs: number | undefined;
  maxMs: number | undefined;
  /** The SLA limit of the type today (`SLA_LIMITS[type]`); each row is judged by its own stored limit. */
  slaLimitMs: number;
  /** Provisionings that failed or took longer than their own limit. */
  slaBreaches: number;
  /** Provisionings whose bootstrap failed by the platform's doing (cancelled ones and caller failures not included). */
  failures: number;
  /** Provisionings their caller cancelled (in the window's time span). */
  cancelled: number;
  /**
   * Provisionings that failed by their caller's doing (a missing image, a command that exits before it is ready;
   * in the window's time span): shown apart, never judged.
   */
  callerFailures: number;
  /** `(n - failures) / n`, a fraction in [0, 1]; `undefined` when `n` is 0. */
  successRate: number | undefined;
  /** `verdict.status === 'met'`; `undefined` when `n` is 0. */
  slaMet: boolean | undefined;
  /** The SLA verdict (`judgeSla` of `@sbx/timing`) over the same provisionings. */
  verdict: SlaVerdict;
  /** True when the quantiles come from the rollups' latency sketch (relative error at most 1%). */
  approximate: boolean;
}

/** What `buildStats` needs: the counts of a window and a way to read its ready durations by rank. */
export interface StatsInput {
  sandboxType: SandboxType;
  window: StatsWindow;
  n: number;
  failures: number;
  cancelled: number;
  callerFailures: number;
  breaches: number;
  readySumMs: number;
  readyMaxMs: number | undefined;
  /** The ready duration at 0-based `rank` in ascending order. */
  readyAt(rank: number): number | undefined;
  approximate: boolean;
}

/** Builds the stats of a window from its counts: the verdict through timing's `judgeSla`, like everywhere else. */
export function buildStats(input: StatsInput): ProvisioningStats {
  const { n, failures } = input;
  const ready = n - failures;
  const at = (q: number) => (ready === 0 ? undefined : input.readyAt(nearestRankIndex(ready, q)));
  // Failures sort after every ready duration: the P95 rank either lands on a ready one or on a failure.
  const rank = n === 0 ? 0 : nearestRankIndex(n, SLA_QUANTILE);
  const slaLimitMs = SLA_LIMITS[input.sandboxType];
  const verdict = judgeSla({
    n,
    breaches: input.breaches,
    failures,
    cancelled: input.cancelled,
    callerFailures: input.callerFailures,
    p95Ms: n === 0 ? undefined : rank < ready ? input.readyAt(rank) : Number.POSITIVE_INFINITY,
    slaLimitMs,
  });
  return {
    sandboxType: input.sandboxType,
    window: input.window,
    n,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    meanMs: ready === 0 ? undefined : input.readySumMs / ready,
    maxMs: ready === 0 ? undefined : input.readyMaxMs,
    slaLimitMs,
    slaBreaches: input.breaches,
    failures,
    cancelled: input.cancelled,
    callerFailures: input.callerFailures,
    successRate: n === 0 ? undefined : ready / n,
    slaMet: verdict.status === 'no-data' ? undefined : verdict.status === 'met',
    verdict,
    approximate: input.approximate,
  };
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
