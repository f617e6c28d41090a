import type { SlaWindowRow } from '@sbx/store';
import { isSlaBreach, judgeSla, nearestRankIndex, SLA_QUANTILE, SLA_WINDOW } from '@sbx/timing';

/** One provisioning of the SLA window with the verdict's P95 as it stood once that provisioning was judged. */
export interface TrendPoint {
  /** Wall-clock start of the provisioning. */
  timestamp: Date;
  durationMs: number;
  failed: boolean;
  /** The SLA P95 (failures as +Infinity) over the newest 100 valid provisionings up to and including this one. */
  p95Ms: number;
}

/** Where `value` goes (or is) in ascending `sorted`: the first index whose value is not below it. */
function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The SLA window (the newest `window` valid provisionings, newest first, from `rows` of up to 2 x window - 1 rows)
 * with the verdict's P95 at each one: what the dashboard's P95-over-time line draws. The window slides one
 * provisioning at a time (a sorted list, no re-sort) and each point is judged by timing's `judgeSla`, the one rule.
 */
export function slaTrend(
  rows: readonly SlaWindowRow[],
  slaLimitMs: number,
  window = SLA_WINDOW,
): TrendPoint[] {
  const points = Math.min(window, rows.length);
  if (points === 0) return [];
  const sorted: number[] = [];
  const tally = { n: 0, breaches: 0, failures: 0 };
  const add = (row: SlaWindowRow, sign: 1 | -1) => {
    const value = row.failed ? Number.POSITIVE_INFINITY : row.durationMs;
    if (sign === 1) sorted.splice(lowerBound(sorted, value), 0, value);
    else sorted.splice(lowerBound(sorted, value), 1);
    tally.n += sign;
    if (row.failed) tally.failures += sign;
    if (isSlaBreach(row)) tally.breaches += sign;
  };
  // The oldest point's window first, then one step newer at a time: add the new row, drop the oldest.
  for (let i = points - 1; i < Math.min(rows.length, points - 1 + window); i++)
    add(rows[i] as SlaWindowRow, 1);
  const out: TrendPoint[] = [];
  for (let i = points - 1; i >= 0; i--) {
    if (i < points - 1) {
      add(rows[i] as SlaWindowRow, 1);
      const leaving = rows[i + window];
      if (leaving) add(leaving, -1);
    }
    const row = rows[i] as SlaWindowRow;
    const { p95Ms } = judgeSla({
      ...tally,
      cancelled: 0,
      callerFailures: 0,
      p95Ms: sorted[nearestRankIndex(tally.n, SLA_QUANTILE)],
      slaLimitMs,
    });
    out.push({
      timestamp: row.timestamp,
      durationMs: row.durationMs,
      failed: row.failed,
      p95Ms: p95Ms as number,
    });
  }
  return out.reverse();
}
