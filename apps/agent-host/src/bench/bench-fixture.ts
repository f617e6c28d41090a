// A synthetic run for the report's and the summary's tests: deterministic, shaped like a real one. Not built
// into a public API; it lives beside the code it feeds.
import type { BenchRequest, BenchRun } from './bench-types.js';

/** A sequential run of `n` cold and `n` pool requests (the last pool request a miss), and the pool's samples. */
export function syntheticRun(n = 30): BenchRun {
  const requests: BenchRequest[] = [];
  for (let i = 0; i < n; i++) {
    const at = 1_000 + i * 250;
    const cold = 95 + ((i * 37) % 40);
    requests.push({
      kind: 'cold',
      source: 'cold',
      atMs: at,
      roundTripMs: cold + 4,
      serverMs: cold + 1,
      kpiMs: cold,
      phases: [
        { name: 'image', startMs: 0, durationMs: 1.5 },
        { name: 'create', startMs: 1.5, durationMs: 30 },
        { name: 'start', startMs: 31.5, durationMs: cold - 36 },
        { name: 'ready', startMs: cold - 4.5, durationMs: 4.5 },
      ],
      status: 201,
      id: `sbx-c${i}`,
      containerId: `c${i}`,
    });
    const miss = i === n - 1;
    const hit = 0.4 + ((i * 13) % 10) / 20;
    requests.push({
      kind: 'pool',
      source: miss ? 'cold' : 'pool',
      atMs: at + cold + 10,
      roundTripMs: miss ? cold + 5 : hit + 1.5,
      serverMs: miss ? cold + 2 : hit,
      kpiMs: miss ? cold : 0.05,
      phases: miss
        ? [
            { name: 'acquire', startMs: 0, durationMs: 0.01 },
            { name: 'create', startMs: 0.01, durationMs: cold },
          ]
        : [{ name: 'acquire', startMs: 0, durationMs: 0.05 }],
      status: 201,
      id: `sbx-p${i}`,
      containerId: `p${i}`,
    });
  }
  const pool = Array.from({ length: Math.ceil((n * 250 + 1_500) / 20) }, (_, i) => ({
    atMs: i * 20,
    ready: i * 20 < 600 ? Math.floor((i * 20) / 150) : 4 - (Math.floor(i / 7) % 2),
    refilling: 0,
  }));
  const refills = Array.from({ length: n + 4 }, (_, i) => ({
    atMs: 100 + i * 250,
    durationMs: 120 + ((i * 29) % 60),
    phases: [
      { name: 'image', startMs: 0, durationMs: 1.2 },
      { name: 'create', startMs: 1.2, durationMs: 35 },
      { name: 'start', startMs: 36.2, durationMs: 80 },
      { name: 'ready', startMs: 116.2, durationMs: 4 },
    ],
    failed: false,
  }));
  return {
    mode: 'sequential',
    image: 'sbx-test/busybox:latest',
    poolSize: 4,
    count: n,
    concurrency: 4,
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: n * 250 + 1_500,
    warmRefillP50Ms: 130,
    requests,
    pool,
    refills,
    reused: 0,
    leaked: 0,
  };
}
