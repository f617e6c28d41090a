import type { TargetCheck } from './bench-summary.js';
import { type TtiRow, ttiStats } from './tti-stats.js';
import { ttiTargets } from './tti-targets.js';
import type { TtiRun, TtiSeries } from './tti-types.js';

/** The figures `sbx bench tti` prints, writes as JSON and charts. */
export interface TtiSummary {
  rows: TtiRow[];
  /** Per runtime: `node -v`'s CPU time x count / cores, in ms (the burst's CPU floor). */
  cpuFloorMs: Record<string, number>;
  targets: TargetCheck[];
}

/** Summarizes a run: each series' figures and ratios to its floors, and each target met or missed. */
export function summarizeTti(run: TtiRun): TtiSummary {
  const cores = run.machine.cores;
  const cpuFloorMs = Object.fromEntries(run.inSandbox.map((c) => [c.runtime, (c.cpuMs * run.count) / cores]));
  const find = (s: Pick<TtiSeries, 'runtime' | 'mode' | 'source'>) =>
    run.series.find((x) => x.runtime === s.runtime && x.mode === s.mode && x.source === s.source);
  const medianOf = (s: TtiSeries | undefined) => (s ? ttiStats(s).medianMs : undefined);
  const over = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  const rows = run.series.map((s): TtiRow => {
    const stats = ttiStats(s);
    const pooled = s.source === 'pool' || s.source === 'pool-small';
    return {
      mode: s.mode,
      source: s.source,
      runtime: s.runtime,
      ...(s.poolSize ? { poolSize: s.poolSize } : {}),
      stats,
      ...(pooled
        ? {
            hits: s.samples.filter((x) => x.hit === true).length,
            misses: s.samples.filter((x) => x.hit === false).length,
          }
        : {}),
      ...(s.healthz?.p95Ms === undefined ? {} : { healthzP95Ms: s.healthz.p95Ms }),
      leaked: s.leaked,
      overDockerode: over(stats.medianMs, medianOf(find({ ...s, source: 'dockerode' }))),
      overDockerRun: over(stats.medianMs, medianOf(find({ ...s, mode: 'sequential', source: 'docker-run' }))),
      overCpuFloor: s.mode === 'burst' ? over(stats.medianMs, cpuFloorMs[s.runtime]) : undefined,
    };
  });
  return { rows, cpuFloorMs, targets: ttiTargets(run, rows) };
}
