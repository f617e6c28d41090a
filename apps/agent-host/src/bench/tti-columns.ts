import type { TtiRow } from './tti-stats.js';

/** One column of the TTI summary table: its heading and its cell, with milliseconds formatted by `ms`. */
export interface TtiColumn {
  head: string;
  cell(row: TtiRow, ms: (value: number) => string): string;
}

const opt = (v: number | undefined, ms: (value: number) => string) => (v === undefined ? '' : ms(v));
const ratio = (v: number | undefined) => (v === undefined ? '' : `${v.toFixed(2)}x`);

/** The TTI summary table's columns, printed by `sbx bench tti` and drawn in its `--report` page alike. */
export const TTI_COLUMNS: readonly TtiColumn[] = Object.freeze([
  { head: 'runtime', cell: (r) => r.runtime },
  { head: 'mode', cell: (r) => r.mode },
  {
    head: 'source',
    cell: (r) =>
      r.poolSize === undefined
        ? r.source
        : `${r.source} (${r.poolSize}; ${r.hits ?? 0} hit${r.misses ? `, ${r.misses} miss` : ''})`,
  },
  { head: 'n', cell: (r) => String(r.stats.n) },
  { head: 'success', cell: (r) => `${r.stats.successPct.toFixed(0)} %` },
  { head: 'min', cell: (r, ms) => opt(r.stats.minMs, ms) },
  { head: 'median', cell: (r, ms) => opt(r.stats.medianMs, ms) },
  { head: 'p95', cell: (r, ms) => opt(r.stats.p95Ms, ms) },
  { head: 'p99', cell: (r, ms) => opt(r.stats.p99Ms, ms) },
  { head: 'max', cell: (r, ms) => opt(r.stats.maxMs, ms) },
  { head: 'create p50', cell: (r, ms) => opt(r.stats.createMedianMs, ms) },
  { head: 'exec p50', cell: (r, ms) => opt(r.stats.execMedianMs, ms) },
  { head: 'trimmed mean', cell: (r, ms) => opt(r.stats.leaderboard.trimmedMeanMs, ms) },
  { head: 'score', cell: (r) => r.stats.leaderboard.score?.toFixed(1) ?? '' },
  { head: 'per s', cell: (r) => r.stats.throughputPerS?.toFixed(1) ?? '' },
  { head: 'x dockerode', cell: (r) => (r.source === 'dockerode' ? '' : ratio(r.overDockerode)) },
  { head: 'x docker run', cell: (r) => (r.source === 'docker-run' ? '' : ratio(r.overDockerRun)) },
  { head: 'x CPU floor', cell: (r) => ratio(r.overCpuFloor) },
  { head: '/healthz p95', cell: (r, ms) => opt(r.healthzP95Ms, ms) },
]);
