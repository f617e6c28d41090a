import { describe, expect, it } from 'vitest';
import { syntheticTti } from './tti-fixture.js';
import { formatTti } from './tti-print.js';
import { renderTtiReport } from './tti-report.js';
import { summarizeTti } from './tti-summary.js';

describe('summarizeTti', () => {
  it('gives every series its figures and its ratios to the floors of the same mode and runtime', () => {
    const run = syntheticTti(20);
    const s = summarizeTti(run);
    expect(s.rows).toHaveLength(13);
    const row = (mode: string, source: string) => s.rows.find((r) => r.mode === mode && r.source === source);
    const cold = row('sequential', 'cold');
    const floor = row('sequential', 'dockerode');
    expect(cold?.overDockerode).toBeCloseTo((cold?.stats.medianMs ?? 0) / (floor?.stats.medianMs ?? 1));
    expect(cold?.overDockerRun).toBeCloseTo(
      (cold?.stats.medianMs ?? 0) / (row('sequential', 'docker-run')?.stats.medianMs ?? 1),
    );
    // The CPU floor: node -v's CPU time x count / cores (20 ms x 20 / 2).
    expect(s.cpuFloorMs).toEqual({ runc: 200 });
    expect(row('burst', 'pool')?.overCpuFloor).toBeCloseTo((row('burst', 'pool')?.stats.medianMs ?? 0) / 200);
    expect(row('sequential', 'pool')?.overCpuFloor).toBeUndefined();
    expect(row('burst', 'pool-small')).toMatchObject({ hits: 4, misses: 16 });
  });

  it('judges the issue targets and misses what went wrong: a failure, a container left, a slow pool', () => {
    const run = syntheticTti(20);
    const met = Object.fromEntries(summarizeTti(run).targets.map((t) => [t.name, t.met]));
    expect(met['runc: cold sequential median']).toBe(true);
    expect(met['runc: cold burst of 20: success']).toBe(true);
    expect(met['containers left by the run']).toBe(true);
    const burstCold = run.series.find((x) => x.mode === 'burst' && x.source === 'cold');
    if (!burstCold) throw new Error('no burst');
    burstCold.samples[3] = { atMs: 0, ttiMs: 4, ok: false, error: 'TOO_MANY_CONCURRENT: 429' };
    burstCold.leaked = 2;
    const seqPool = run.series.find((x) => x.mode === 'sequential' && x.source === 'pool');
    for (const sample of seqPool?.samples ?? []) sample.ttiMs += 100;
    const after = summarizeTti(run);
    const missed = after.targets.filter((t) => !t.met).map((t) => t.name);
    expect(missed).toEqual([
      'runc: pooled sequential median',
      'runc: pooled sequential p99',
      'runc: cold burst of 20: success',
      'runc: cold burst of 20: containers left',
      'containers left by the run',
    ]);
    expect(after.rows.find((r) => r.mode === 'burst' && r.source === 'cold')?.stats.successPct).toBe(95);
  });

  it('prints a row per series with the leaderboard figures, and the report carries the run and a chart per mode', () => {
    const run = syntheticTti(20, ['runsc']);
    const summary = summarizeTti(run);
    const text = formatTti(run, summary);
    expect(text.split('\n').filter((l) => /^(runc|runsc)\s/.test(l))).toHaveLength(26);
    expect(text).toMatch(/trimmed mean\s+score/);
    expect(text).toContain('runsc: node -v inside 42.0 ms wall, 40.0 ms CPU; burst CPU floor 400.0 ms');
    const html = renderTtiReport(run, summary);
    for (const mode of run.modes) expect(html).toContain(`id="chart-${mode}"`);
    expect(html).toContain('Daytona');
    expect(html).not.toMatch(/<script src=|<link[^>]+stylesheet/);
  });
});
