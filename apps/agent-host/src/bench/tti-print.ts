import { ms, table } from '../cli/format.js';
import type { TargetCheck } from './bench-summary.js';
import { TTI_COLUMNS } from './tti-columns.js';
import type { TtiSummary } from './tti-summary.js';
import type { TtiRun } from './tti-types.js';

/** The text `sbx bench tti` prints: one row per series, the floors' ratios, each target met or missed. */
export function formatTti(run: TtiRun, summary: TtiSummary): string {
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
    table([
      TTI_COLUMNS.map((c) => c.head),
      ...summary.rows.map((r) => TTI_COLUMNS.map((c) => c.cell(r, ms))),
    ]),
    "trimmed mean and score: the leaderboard's (5 % dropped from each end of the successful times; score 0-100)",
    costs,
    'targets:',
    ...summary.targets.map(formatTtiTarget),
  ].join('\n');
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
