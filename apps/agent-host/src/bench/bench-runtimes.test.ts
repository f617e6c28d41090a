import { describe, expect, it } from 'vitest';
import { syntheticRun } from './bench-fixture.js';
import { renderBenchReport } from './bench-report.js';
import { formatRuntimes, summarizeRuntimes } from './bench-runtimes.js';
import { summarize } from './bench-summary.js';
import type { BenchRequest, BenchRun } from './bench-types.js';

// A run comparing runc with a runtime twice as slow to create and start, and hits that cost the same.
function comparison(): BenchRun {
  const base = syntheticRun(10);
  const requests: BenchRequest[] = base.requests.flatMap((r) => {
    const slower = (factor: number): BenchRequest => ({
      ...r,
      runtime: factor === 1 ? 'runc' : 'runsc',
      kpiMs: r.kind === 'cold' ? r.kpiMs * factor : r.kpiMs,
      phases: r.phases.map((p) =>
        r.kind === 'cold' && (p.name === 'create' || p.name === 'start')
          ? { ...p, durationMs: p.durationMs * factor }
          : p,
      ),
    });
    return [slower(1), slower(2)];
  });
  // Each refill's KPI row names its runtime: runsc's take three times as long; a failed one is left out.
  const refills = base.refills.flatMap((r) => [
    { ...r, runtime: 'runc' },
    { ...r, runtime: 'runsc', durationMs: r.durationMs * 3 },
  ]);
  refills.push({
    ...(base.refills[0] as (typeof refills)[number]),
    runtime: 'runsc',
    failed: true,
    durationMs: 1,
  });
  return { ...base, requests, refills, runtimes: { names: ['runc', 'runsc'], default: 'runc' } };
}

describe('summarizeRuntimes', () => {
  it('gives each runtime its cold p50/p95 in all and by phase, its pool hit p95, and the ratios to the default', () => {
    const figures = summarizeRuntimes(comparison());
    const [runc, runsc] = figures ?? [];
    expect(runc).toMatchObject({ runtime: 'runc', isDefault: true, ratio: { coldP50: 1, hitP95: 1 } });
    expect(runsc?.isDefault).toBe(false);
    expect(runsc?.ratio.coldP50).toBeCloseTo(2);
    expect(runsc?.phases.create.p50Ms).toBeCloseTo(2 * (runc?.phases.create.p50Ms ?? 0));
    expect(runsc?.phases.image.p50Ms).toBe(runc?.phases.image.p50Ms);
    expect(runsc?.cold.n).toBe(runc?.cold.n);
    expect(runsc?.refill.n).toBe(runc?.refill.n);
    expect(runc?.refill.n).toBeGreaterThan(0);
    expect(runsc?.ratio.refillP95).toBeCloseTo(3);
    expect(summarizeRuntimes(syntheticRun(3))).toBeUndefined();
  });

  it('prints one table, a column per runtime with its ratio beside it, and the report charts it', () => {
    const run = comparison();
    const figures = summarizeRuntimes(run) ?? [];
    const text = formatRuntimes(figures);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/runc \(default\)\s+x default\s+runsc\s+x default/);
    expect(lines.find((l) => l.startsWith('cold total p50'))).toMatch(/1\.00x .* 2\.00x$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual([
      'n cold / hits / refills',
      'cold total p50',
      'cold total p95',
      'image p50',
      'image p95',
      'create p50',
      'create p95',
      'start p50',
      'start p95',
      'ready p50',
      'ready p95',
      'pool hit p95 (server)',
      'refill p95 (background)',
    ]);
    expect(lines.find((l) => l.startsWith('refill p95'))).toMatch(/1\.00x .* 3\.00x$/);
    const html = renderBenchReport(run, summarize(run), figures);
    expect(html).toContain('data-testid="runtime-chart"');
    expect(html).toContain('2.00x');
  });
});
