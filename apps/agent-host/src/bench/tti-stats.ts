import type { TtiMode, TtiSeries, TtiSource } from './tti-types.js';

/** The figures of one series: the plain ones over every successful iteration, and the leaderboard's. */
export interface TtiStats {
  n: number;
  ok: number;
  /** Successful iterations over all, in percent. */
  successPct: number;
  minMs: number | undefined;
  maxMs: number | undefined;
  medianMs: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  meanMs: number | undefined;
  /** Computed as the public leaderboard computes its figures: see `leaderboardStats`. */
  leaderboard: LeaderboardStats;
  /** Sandboxes interactive per second over the series' wall time. */
  throughputPerS: number | undefined;
  /** The median of the create call alone, and of the rest (`node -v` run and read back), where recorded. */
  createMedianMs: number | undefined;
  execMedianMs: number | undefined;
}

/** Median, p95, p99 and mean after the leaderboard's 5 %/5 % trim, and its composite score. */
export interface LeaderboardStats {
  /** Iterations left after the trim. */
  kept: number;
  medianMs: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  /** The trimmed mean: the mean of what is left after the trim. */
  trimmedMeanMs: number | undefined;
  /** `(0.60 x s(median) + 0.25 x s(p95) + 0.15 x s(p99)) x success rate`, `s(v) = max(0, 100 x (1 - v / 10 s))`. */
  score: number | undefined;
}

/** The leaderboard's share trimmed from each end of the sorted successful times. */
export const TRIM_SHARE = 0.05;

/** The nearest-rank percentile `p` (0-100) of sorted values, as the leaderboard takes it. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const index = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.min(index, sorted.length - 1)];
}

/** The median of sorted values: the middle one, or the mean of the two middle ones. */
export function median(sorted: readonly number[]): number | undefined {
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
    : (sorted[mid] as number);
}

/**
 * The leaderboard's figures: `floor(5 % of n)` dropped from each end of the sorted successful times (none when
 * that would leave nothing), then the median, nearest-rank p95/p99 and mean of the rest; its score weighs them
 * against a 10 s ceiling and multiplies by the success rate.
 */
export function leaderboardStats(okTimes: readonly number[], successRate: number): LeaderboardStats {
  const sorted = [...okTimes].sort((a, b) => a - b);
  const trim = Math.floor(sorted.length * TRIM_SHARE);
  const kept = trim > 0 && sorted.length - 2 * trim > 0 ? sorted.slice(trim, sorted.length - trim) : sorted;
  const medianMs = median(kept);
  const p95Ms = percentile(kept, 95);
  const p99Ms = percentile(kept, 99);
  const s = (v: number) => Math.max(0, 100 * (1 - v / 10_000));
  const score =
    medianMs === undefined || p95Ms === undefined || p99Ms === undefined || successRate === 0
      ? undefined
      : Math.round((0.6 * s(medianMs) + 0.25 * s(p95Ms) + 0.15 * s(p99Ms)) * successRate * 100) / 100;
  return {
    kept: kept.length,
    medianMs,
    p95Ms,
    p99Ms,
    trimmedMeanMs: kept.length === 0 ? undefined : kept.reduce((a, b) => a + b, 0) / kept.length,
    score,
  };
}

/** The figures of one series (failed iterations count against success, never in the times). */
export function ttiStats(series: Pick<TtiSeries, 'samples' | 'wallMs'>): TtiStats {
  const times = series.samples.filter((s) => s.ok).map((s) => s.ttiMs);
  const sorted = [...times].sort((a, b) => a - b);
  const n = series.samples.length;
  const successRate = n === 0 ? 0 : times.length / n;
  const split = series.samples.flatMap((s) =>
    s.ok && s.createMs !== undefined ? [{ ttiMs: s.ttiMs, createMs: s.createMs }] : [],
  );
  return {
    n,
    ok: times.length,
    successPct: successRate * 100,
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    medianMs: median(sorted),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    meanMs: times.length === 0 ? undefined : times.reduce((a, b) => a + b, 0) / times.length,
    leaderboard: leaderboardStats(times, successRate),
    throughputPerS: series.wallMs > 0 && times.length > 0 ? (times.length * 1000) / series.wallMs : undefined,
    createMedianMs: median(split.map((s) => s.createMs).sort((a, b) => a - b)),
    execMedianMs: median(split.map((s) => s.ttiMs - s.createMs).sort((a, b) => a - b)),
  };
}

/** One row of the summary: a series, its figures, and its median over its floors'. */
export interface TtiRow {
  mode: TtiMode;
  source: TtiSource;
  runtime: string;
  poolSize?: number;
  stats: TtiStats;
  /** Pool hits and misses (pooled sbx series). */
  hits?: number;
  misses?: number;
  healthzP95Ms?: number;
  leaked: number;
  /** Median over the dockerode floor's of the same mode and runtime. */
  overDockerode: number | undefined;
  /** Median over the `docker run --rm` floor's (sequential) of the same runtime. */
  overDockerRun: number | undefined;
  /** Burst only: median over the CPU floor (node -v's CPU time x count / cores). */
  overCpuFloor: number | undefined;
}
