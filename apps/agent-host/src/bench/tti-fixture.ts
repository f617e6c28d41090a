// A synthetic TTI run for the summary's and the report's tests: deterministic, shaped like a real one. Not
// part of a public API; it lives beside the code it feeds.
import { TTI_MODES, type TtiRun, type TtiSample, type TtiSeries, type TtiSource } from './tti-types.js';

// Per source, the base TTI (ms) and its spread; a pooled series' misses take the cold time.
const BASE: Record<TtiSource, number> = {
  cold: 160,
  pool: 30,
  'pool-small': 30,
  dockerode: 150,
  'docker-run': 340,
};

/** A run of `count` per series on runc (and `extra` runtimes twice as slow), every mode, every source. */
export function syntheticTti(count = 20, extra: string[] = []): TtiRun {
  const series: TtiSeries[] = [];
  for (const [r, runtime] of ['runc', ...extra].entries()) {
    for (const mode of TTI_MODES) {
      const factor = (r + 1) * (mode === 'burst' ? 6 : mode === 'staggered' ? 1.5 : 1);
      for (const source of ['dockerode', 'cold', 'pool', 'pool-small'] as const) {
        const poolSize =
          source === 'pool' ? count : source === 'pool-small' ? Math.max(1, count / 5) : undefined;
        series.push(one(mode, source, runtime, count, factor, poolSize));
      }
    }
    series.push(one('sequential', 'docker-run', runtime, count, r + 1, undefined));
  }
  return {
    startedAt: '2026-12-07T04:00:00.000Z',
    durationMs: 120_000,
    target: 'template node (sbx-template/node:0123456789abcdef)',
    image: 'sbx-template/node:0123456789abcdef',
    count,
    intervalMs: 200,
    modes: [...TTI_MODES],
    runtimes: ['runc', ...extra],
    machine: {
      cpu: 'AMD EPYC',
      cores: 2,
      memoryGiB: 23.5,
      kernel: '6.1.0',
      node: 'v20.19.0',
      engine: 'Docker 20.10.24',
    },
    caps: { maxLivePerTenant: 2 * count + 10, maxLiveTotal: 3 * count + 10, maxExecsPerTenant: count + 10 },
    inSandbox: ['runc', ...extra].map((runtime, r) => ({
      runtime,
      wallMs: 21 * (r + 1),
      cpuMs: 20 * (r + 1),
    })),
    series,
  };
}

function one(
  mode: TtiSeries['mode'],
  source: TtiSource,
  runtime: string,
  count: number,
  factor: number,
  poolSize: number | undefined,
): TtiSeries {
  const samples: TtiSample[] = Array.from({ length: count }, (_, i) => {
    const miss = poolSize !== undefined && i >= poolSize && mode === 'burst';
    const base = miss ? BASE.cold : BASE[source];
    return {
      atMs: mode === 'sequential' ? i * base * factor : mode === 'staggered' ? i * 200 : 0,
      ttiMs: (base + ((i * 7) % 11)) * factor,
      createMs: 10,
      ok: true,
      ...(poolSize === undefined ? {} : { hit: !miss }),
    };
  });
  return {
    mode,
    source,
    runtime,
    ...(poolSize === undefined ? {} : { poolSize }),
    samples,
    wallMs: samples.reduce(
      (s, x) => (mode === 'sequential' ? s + x.ttiMs : Math.max(s, x.atMs + x.ttiMs)),
      0,
    ),
    ...(source === 'dockerode' || source === 'docker-run'
      ? {}
      : { healthz: { n: 40, failed: 0, p50Ms: 2, p95Ms: 6, maxMs: 9 } }),
    leaked: 0,
  };
}
