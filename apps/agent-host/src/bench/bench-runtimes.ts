import { ms, table } from '../cli/format.js';
import { type Spread, spread } from './bench-summary.js';
import type { BenchRun } from './bench-types.js';

/** The phases of a cold docker provisioning, in order. */
export const COLD_PHASES = ['image', 'create', 'start', 'ready'] as const;

/** What one engine runtime cost in a comparison run. */
export interface RuntimeFigures {
  runtime: string;
  /** The engine's default: the others' ratios are to it. */
  isDefault: boolean;
  /** Cold provisionings as their KPI rows record them (the total), and each phase. */
  cold: Spread;
  phases: Record<(typeof COLD_PHASES)[number], Spread>;
  /** Pool hits, server side (accepted -> handed out, KPI row written). */
  hit: Spread;
  /** The pools' background refills on this runtime that became ready, as their KPI rows record them. */
  refill: Spread;
  /** This runtime's cold p50 and p95, hit p95 and refill p95 over the default's; 1 for the default itself. */
  ratio: {
    coldP50: number | undefined;
    coldP95: number | undefined;
    hitP95: number | undefined;
    refillP95: number | undefined;
  };
}

/** Per runtime of a comparison run (`--runtime`): cold p50/p95 by phase and in all, pool hit p95, ratios. */
export function summarizeRuntimes(run: BenchRun): RuntimeFigures[] | undefined {
  if (!run.runtimes) return undefined;
  const figures = run.runtimes.names.map((runtime): RuntimeFigures => {
    const ok = run.requests.filter((r) => r.status === 201 && r.runtime === runtime);
    const cold = ok.filter((r) => r.kind === 'cold');
    const phase = (name: string) =>
      spread(cold.flatMap((r) => r.phases.filter((p) => p.name === name).map((p) => p.durationMs)));
    return {
      runtime,
      isDefault: runtime === run.runtimes?.default,
      cold: spread(cold.map((r) => r.kpiMs)),
      phases: Object.fromEntries(COLD_PHASES.map((name) => [name, phase(name)])) as RuntimeFigures['phases'],
      hit: spread(ok.filter((r) => r.kind === 'pool' && r.source === 'pool').map((r) => r.serverMs)),
      refill: spread(run.refills.filter((r) => !r.failed && r.runtime === runtime).map((r) => r.durationMs)),
      ratio: { coldP50: undefined, coldP95: undefined, hitP95: undefined, refillP95: undefined },
    };
  });
  const base = figures.find((f) => f.isDefault);
  const over = (a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  for (const f of figures) {
    f.ratio = {
      coldP50: over(f.cold.p50Ms, base?.cold.p50Ms),
      coldP95: over(f.cold.p95Ms, base?.cold.p95Ms),
      hitP95: over(f.hit.p95Ms, base?.hit.p95Ms),
      refillP95: over(f.refill.p95Ms, base?.refill.p95Ms),
    };
  }
  return figures;
}

/** The comparison as one table: a row per figure, a column per runtime, its ratio to the default beside it. */
export function formatRuntimes(figures: readonly RuntimeFigures[]): string {
  const x = (v: number | undefined) => (v === undefined ? '' : `${v.toFixed(2)}x`);
  const head = [
    '',
    ...figures.flatMap((f) => [`${f.runtime}${f.isDefault ? ' (default)' : ''}`, 'x default']),
  ];
  const line = (
    label: string,
    value: (f: RuntimeFigures) => number | undefined,
    ratio?: (f: RuntimeFigures) => number | undefined,
  ) => [
    label,
    ...figures.flatMap((f) => [
      value(f) === undefined ? '' : ms(value(f) as number),
      ratio ? x(ratio(f)) : '',
    ]),
  ];
  const n = [
    'n cold / hits / refills',
    ...figures.flatMap((f) => [`${f.cold.n} / ${f.hit.n} / ${f.refill.n}`, '']),
  ];
  return table([
    head,
    n,
    line(
      'cold total p50',
      (f) => f.cold.p50Ms,
      (f) => f.ratio.coldP50,
    ),
    line(
      'cold total p95',
      (f) => f.cold.p95Ms,
      (f) => f.ratio.coldP95,
    ),
    ...COLD_PHASES.flatMap((name) => [
      line(
        `  ${name} p50`,
        (f) => f.phases[name].p50Ms,
        (f) => ratioOf(f, figures, name, 'p50Ms'),
      ),
      line(
        `  ${name} p95`,
        (f) => f.phases[name].p95Ms,
        (f) => ratioOf(f, figures, name, 'p95Ms'),
      ),
    ]),
    line(
      'pool hit p95 (server)',
      (f) => f.hit.p95Ms,
      (f) => f.ratio.hitP95,
    ),
    line(
      'refill p95 (background)',
      (f) => f.refill.p95Ms,
      (f) => f.ratio.refillP95,
    ),
  ]);
}

function ratioOf(
  f: RuntimeFigures,
  all: readonly RuntimeFigures[],
  phase: (typeof COLD_PHASES)[number],
  key: 'p50Ms' | 'p95Ms',
): number | undefined {
  const base = all.find((b) => b.isDefault)?.phases[phase][key];
  const value = f.phases[phase][key];
  return value !== undefined && base ? value / base : undefined;
}
