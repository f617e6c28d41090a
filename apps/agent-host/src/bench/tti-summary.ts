import type { TargetCheck } from './bench-summary.js';
import { type TtiStats, ttiStats } from './tti-stats.js';
import type { TtiMode, TtiRun, TtiSeries, TtiSource } from './tti-types.js';

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

/** The figures `sbx bench tti` prints, writes as JSON and charts. */
export interface TtiSummary {
  rows: TtiRow[];
  /** Per runtime: `node -v`'s CPU time x count / cores, in ms (the burst's CPU floor). */
  cpuFloorMs: Record<string, number>;
  targets: TargetCheck[];
}

/** The targets on this machine (#28). */
export const TTI_TARGETS = Object.freeze({
  coldOverDockerode: 1.15,
  coldMedianMs: 186,
  poolOverInSandboxMs: 10,
  poolP99Ms: 60,
  burstHealthzP95Ms: 50,
  burstColdOverDockerode: 1.2,
  burstPoolOverCpuFloor: 1.5,
});

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
  return { rows, cpuFloorMs, targets: targets(run, rows) };
}

function targets(run: TtiRun, rows: TtiRow[]): TargetCheck[] {
  const t = TTI_TARGETS;
  const out: TargetCheck[] = [];
  const row = (runtime: string, mode: TtiMode, source: TtiSource) =>
    rows.find((r) => r.runtime === runtime && r.mode === mode && r.source === source);
  for (const runtime of run.runtimes) {
    const cost = run.inSandbox.find((c) => c.runtime === runtime);
    const seqCold = row(runtime, 'sequential', 'cold');
    const seqPool = row(runtime, 'sequential', 'pool');
    const burstCold = row(runtime, 'burst', 'cold');
    const burstPool = row(runtime, 'burst', 'pool');
    const name = (text: string) => `${runtime}: ${text}`;
    if (seqCold) {
      out.push(
        check(
          name('cold sequential median / dockerode floor'),
          seqCold.overDockerode,
          'x',
          `<= ${t.coldOverDockerode}`,
          (v) => v <= t.coldOverDockerode,
        ),
      );
      out.push(
        check(
          name('cold sequential median'),
          seqCold.stats.medianMs,
          'ms',
          `<= ${t.coldMedianMs} ms (Daytona's leaderboard median)`,
          (v) => v <= t.coldMedianMs,
        ),
      );
    }
    if (seqPool && cost) {
      const limit = cost.wallMs + t.poolOverInSandboxMs;
      out.push(
        check(
          name('pooled sequential median'),
          seqPool.stats.medianMs,
          'ms',
          `<= ${limit.toFixed(0)} ms (node -v inside ${cost.wallMs.toFixed(0)} ms + ${t.poolOverInSandboxMs})`,
          (v) => v <= limit,
        ),
      );
      out.push(
        check(
          name('pooled sequential p99'),
          seqPool.stats.p99Ms,
          'ms',
          `<= ${t.poolP99Ms} ms`,
          (v) => v <= t.poolP99Ms,
        ),
      );
    }
    if (burstCold) {
      out.push(
        check(
          name(`cold burst of ${run.count}: success`),
          burstCold.stats.successPct,
          '%',
          '= 100 %',
          (v) => v === 100,
        ),
      );
      out.push(
        check(
          name(`cold burst of ${run.count}: containers left`),
          burstCold.leaked,
          '',
          '= 0',
          (v) => v === 0,
        ),
      );
      out.push(
        check(
          name('cold burst: /healthz p95'),
          burstCold.healthzP95Ms,
          'ms',
          `<= ${t.burstHealthzP95Ms} ms`,
          (v) => v <= t.burstHealthzP95Ms,
        ),
      );
      out.push(
        check(
          name('cold burst median / dockerode burst floor'),
          burstCold.overDockerode,
          'x',
          `<= ${t.burstColdOverDockerode}`,
          (v) => v <= t.burstColdOverDockerode,
        ),
      );
    }
    if (burstPool) {
      out.push(
        check(
          name(`burst of ${run.count} on a pool of ${burstPool.poolSize}: success`),
          burstPool.stats.successPct,
          '%',
          '= 100 %',
          (v) => v === 100,
        ),
      );
      out.push(
        check(
          name('pooled burst median / CPU floor'),
          burstPool.overCpuFloor,
          'x',
          `<= ${t.burstPoolOverCpuFloor}`,
          (v) => v <= t.burstPoolOverCpuFloor,
        ),
      );
    }
  }
  const leaked = rows.reduce((n, r) => n + r.leaked, 0);
  out.push(check('containers left by the run', leaked, '', '= 0', (v) => v === 0));
  return out;
}

function check(
  name: string,
  value: number | undefined,
  unit: TargetCheck['unit'],
  limit: string,
  ok: (value: number) => boolean,
): TargetCheck {
  return { name, value, unit, limit, met: value !== undefined && ok(value) };
}
