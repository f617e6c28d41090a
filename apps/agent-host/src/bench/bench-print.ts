import { ms, table } from '../cli/format.js';
import type { BenchSummary, Spread, TargetCheck } from './bench-summary.js';
import type { BenchRun } from './bench-types.js';

/** The text `sbx bench` prints: per source quantiles and throughput, the hit rate, and each target met or missed. */
export function formatBench(run: BenchRun, summary: BenchSummary): string {
  const head = `${run.mode} x${run.count}${run.mode === 'concurrent' ? ` (concurrency ${run.concurrency})` : ''}${run.rate ? ` at ${run.rate.toFixed(1)}/s` : ''}`;
  const rows: string[][] = [
    ['', 'n', 'server p50', 'p95', 'p99', 'round trip p50', 'p95', 'p99', 'per s'],
    ...summary.rows.map((r) => [
      r.label,
      String(r.server.n),
      ...cells(r.server),
      ...(r.roundTrip.n === 0 ? ['', '', ''] : cells(r.roundTrip)),
      r.throughputPerS === undefined ? '' : r.throughputPerS.toFixed(1),
    ]),
  ];
  const asked = summary.hits + summary.misses;
  const failed = run.requests.filter((r) => r.status !== 201);
  const failures = [...new Set(failed.map((r) => `${r.status} ${r.error ?? ''}`.trim()))];
  const figures = [
    summary.hitRate === undefined
      ? undefined
      : `hit rate ${(summary.hitRate * 100).toFixed(1)} % (${summary.hits} of ${asked})`,
    summary.coldPoolP50Ratio === undefined
      ? undefined
      : `cold / pool hit p50 ${summary.coldPoolP50Ratio.toFixed(0)}x server side, ${summary.coldPoolRoundTripRatio?.toFixed(0)}x round trip`,
    run.burst?.refillBackMs === undefined
      ? undefined
      : `pool full again ${ms(run.burst.refillBackMs)} after the burst was sent`,
  ].filter(Boolean);
  return [
    `sbx bench: ${run.image}, pool of ${run.poolSize}, ${head}; ${(run.durationMs / 1000).toFixed(1)} s`,
    table(rows),
    'server: Server-Timing total (request accepted -> sandbox answered, its KPI row written); round trip: the client, on its own thread',
    ...(figures.length ? [figures.join('  ·  ')] : []),
    ...(failed.length ? [`FAILED ${failed.length} request(s): ${failures.slice(0, 3).join('; ')}`] : []),
    'targets:',
    ...summary.targets.map(formatTarget),
  ].join('\n');
}

function cells(s: Spread): string[] {
  return [ms(s.p50Ms), ms(s.p95Ms), ms(s.p99Ms)];
}

/** One target line: `met     pool hit, server-side p95 0.9 ms (<= 2 ms)`. */
export function formatTarget(t: TargetCheck): string {
  const value =
    t.value === undefined
      ? 'not measured'
      : t.unit === 'ms'
        ? ms(t.value)
        : t.unit === 'x'
          ? `${t.value.toFixed(0)}x`
          : t.unit === '%'
            ? `${t.value.toFixed(1)} %`
            : String(t.value);
  return `  ${(t.met ? 'met' : 'MISSED').padEnd(7)} ${t.name}: ${value} (${t.limit})`;
}
