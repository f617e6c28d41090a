import { ms, table } from '../cli/format.js';
import type { TargetCheck } from './bench-summary.js';
import type { TtiRow, TtiSummary } from './tti-summary.js';
import type { TtiRun } from './tti-types.js';

/** The text `sbx bench tti` prints: one row per series, the floors' ratios, each target met or missed. */
export function formatTti(run: TtiRun, summary: TtiSummary): string {
  const head = [
    'runtime',
    'mode',
    'source',
    'n',
    'success',
    'min',
    'median',
    'p95',
    'p99',
    'max',
    'create p50',
    'exec p50',
    'trimmed mean',
    'score',
    'per s',
    'x dockerode',
    'x docker run',
    'x CPU floor',
    '/healthz p95',
  ];
  const m = run.machine;
  const costs = run.inSandbox
    .map(
      (c) =>
        `${c.runtime}: node -v inside ${ms(c.wallMs)} wall, ${ms(c.cpuMs)} CPU; burst CPU floor ${ms(summary.cpuFloorMs[c.runtime] ?? Number.NaN)}`,
    )
    .join('; ');
  return [
    `sbx bench tti: ${run.target}, x${run.count} per series${run.modes.includes('staggered') ? `, staggered every ${run.intervalMs} ms` : ''}; ${(run.durationMs / 1000).toFixed(1)} s`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, ${m.engine}, Node ${m.node}`,
    "TTI: the client (@sbx/client on its own thread, loopback) from create() to `node -v`'s output; teardown not timed; create p50: the create call alone (dockerode: create + start), exec p50: the rest",
    table([head, ...summary.rows.map(cells)]),
    "trimmed mean and score: the leaderboard's (5 % dropped from each end of the successful times; score 0-100)",
    costs,
    'targets:',
    ...summary.targets.map(formatTtiTarget),
  ].join('\n');
}

function cells(r: TtiRow): string[] {
  const s = r.stats;
  const x = (v: number | undefined) => (v === undefined ? '' : `${v.toFixed(2)}x`);
  const source =
    r.poolSize === undefined
      ? r.source
      : `${r.source} (${r.poolSize}; ${r.hits ?? 0} hit${r.misses ? `, ${r.misses} miss` : ''})`;
  return [
    r.runtime,
    r.mode,
    source,
    String(s.n),
    `${s.successPct.toFixed(0)} %`,
    opt(s.minMs),
    opt(s.medianMs),
    opt(s.p95Ms),
    opt(s.p99Ms),
    opt(s.maxMs),
    opt(s.createMedianMs),
    opt(s.execMedianMs),
    opt(s.leaderboard.trimmedMeanMs),
    s.leaderboard.score === undefined ? '' : s.leaderboard.score.toFixed(1),
    s.throughputPerS === undefined ? '' : s.throughputPerS.toFixed(1),
    r.source === 'dockerode' ? '' : x(r.overDockerode),
    r.source === 'docker-run' ? '' : x(r.overDockerRun),
    x(r.overCpuFloor),
    opt(r.healthzP95Ms),
  ];
}

function opt(v: number | undefined): string {
  return v === undefined ? '' : ms(v);
}

/** One target line: `met     runc: cold sequential median 150 ms (<= 186 ms)`. */
export function formatTtiTarget(t: TargetCheck): string {
  const value =
    t.value === undefined
      ? 'not measured'
      : t.unit === 'ms'
        ? ms(t.value)
        : t.unit === 'x'
          ? `${t.value.toFixed(2)}x`
          : t.unit === '%'
            ? `${t.value.toFixed(1)} %`
            : String(t.value);
  return `  ${(t.met ? 'met' : 'MISSED').padEnd(7)} ${t.name}: ${value} (${t.limit})`;
}
