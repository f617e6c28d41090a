import type { SlaWindowRow } from '@sbx/store';
import { SLA_WINDOW, slaVerdict } from '@sbx/timing';

/** One provisioning of the SLA window with the verdict's P95 as it stood once that provisioning was judged. */
export interface TrendPoint {
  /** Wall-clock start of the provisioning. */
  timestamp: Date;
  durationMs: number;
  failed: boolean;
  /** The SLA P95 (failures as +Infinity) over the newest 100 valid provisionings up to and including this one. */
  p95Ms: number;
}

/**
 * The SLA window (the newest `window` valid provisionings, newest first, from `rows` of up to 2 x window - 1 rows)
 * with the verdict's P95 at each one: what the P95-over-time line of the dashboard draws. Every point comes from
 * timing's `slaVerdict`, the one rule.
 */
export function slaTrend(
  rows: readonly SlaWindowRow[],
  slaLimitMs: number,
  window = SLA_WINDOW,
): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (let i = 0; i < Math.min(window, rows.length); i++) {
    const row = rows[i] as SlaWindowRow;
    const { p95Ms } = slaVerdict(rows.slice(i, i + window), { slaLimitMs, window });
    points.push({
      timestamp: row.timestamp,
      durationMs: row.durationMs,
      failed: row.failed,
      p95Ms: p95Ms as number,
    });
  }
  return points;
}
