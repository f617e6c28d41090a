import type { ProvisioningStats } from '@sbx/store';
import type { SlaVerdict } from '@sbx/timing';

/** A P95 as JSON: a failure at the P95 rank is `+Inf` (JSON would write `null`, which reads as "no data"). */
export type JsonMs = number | '+Inf';

/** `ms` for JSON: `+Infinity` becomes the string `+Inf`, as in Prometheus. */
export function jsonMs(ms: number): JsonMs;
export function jsonMs(ms: number | undefined): JsonMs | undefined;
export function jsonMs(ms: number | undefined): JsonMs | undefined {
  return ms === Number.POSITIVE_INFINITY ? '+Inf' : ms;
}

/** An SLA verdict as JSON. */
export type JsonVerdict = Omit<SlaVerdict, 'p95Ms'> & { p95Ms: JsonMs | undefined };

/** `verdict` as JSON (`p95Ms` may be `+Inf`). */
export function jsonVerdict(verdict: SlaVerdict): JsonVerdict {
  return { ...verdict, p95Ms: jsonMs(verdict.p95Ms) };
}

/** Stats as JSON: their verdict's `p95Ms` may be `+Inf`; the latency figures are always finite. */
export type JsonStats = Omit<ProvisioningStats, 'verdict'> & { verdict: JsonVerdict };

/** `stats` as JSON. */
export function jsonStats(stats: ProvisioningStats): JsonStats {
  return { ...stats, verdict: jsonVerdict(stats.verdict) };
}
