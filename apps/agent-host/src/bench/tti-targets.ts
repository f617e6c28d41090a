// The targets of `sbx bench tti` (#28) and the check of a run's summary rows against them.
import { check, type TargetCheck } from './bench-summary.js';
import type { TtiRow } from './tti-stats.js';
import type { TtiMode, TtiRun, TtiSource } from './tti-types.js';

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

/** Each target of `TTI_TARGETS`, per runtime, met or missed by the run's rows. */
export function ttiTargets(run: TtiRun, rows: readonly TtiRow[]): TargetCheck[] {
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
