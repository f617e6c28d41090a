import type { PhaseTiming } from '@sbx/timing';

/** How `sbx bench` sends its requests. */
export const BENCH_MODES = Object.freeze(['sequential', 'concurrent', 'burst', 'steady'] as const);

/**
 * `sequential`: cold and pool requests one after the other, alternating; `concurrent`: a block of cold, then a
 * block of pool requests, `concurrency` at a time; `burst`: `count` pool requests at once on a full pool, then
 * `count` cold ones at once; `steady`: pool requests arriving at a fixed rate (the pool's refill rate unless
 * `--rate`), whether or not earlier ones are done.
 */
export type BenchMode = (typeof BENCH_MODES)[number];

/** One `POST /v1/sandboxes` of the run. */
export interface BenchRequest {
  /** What was asked: the cold body, or `{ pool }`. */
  kind: 'cold' | 'pool';
  /** What the host answered it with: a pool's member (`pool`) or a cold provisioning (`cold`). */
  source: 'cold' | 'pool';
  /** When it was sent, in ms since the run began. */
  atMs: number;
  /** Sent until its answer was read, as the client saw it. */
  roundTripMs: number;
  /** The host's side: its `Server-Timing` total (accepted -> answered, KPI row written). */
  serverMs: number;
  /** The duration its KPI row records. */
  kpiMs: number;
  phases: PhaseTiming[];
  status: number;
  id?: string;
  containerId?: string;
  error?: string;
  /** The engine runtime it asked for, in a run comparing runtimes (`--runtime`). */
  runtime?: string;
}

/** What the pool looked like at one moment. */
export interface PoolSample {
  atMs: number;
  ready: number;
  refilling: number;
}

/** One background refill of the run, as its KPI row has it. */
export interface BenchRefill {
  atMs: number;
  durationMs: number;
  phases: PhaseTiming[];
  failed: boolean;
  /** The engine runtime its KPI row records (a comparison run's refills are split by it). */
  runtime?: string;
}

/** What the burst mode found. */
export interface BurstFigures {
  count: number;
  hits: number;
  misses: number;
  /** Every request answered 201 with a sandbox. */
  allReady: boolean;
  /** Container ids handed out more than once in the whole run (must be 0). */
  reused: number;
  /** Containers of this run left on the engine after it closed (must be 0). */
  leaked: number;
  /** From the burst being sent until the pool, emptied by it, had all its members ready again. */
  refillBackMs: number | undefined;
}

/** Everything one run measured: the raw samples and the figures derived from them. */
export interface BenchRun {
  mode: BenchMode;
  image: string;
  poolSize: number;
  count: number;
  concurrency: number;
  /** Pool requests per second (steady mode). */
  rate?: number;
  startedAt: string;
  durationMs: number;
  /** The pool's own refill p50 while it first filled, in ms. */
  warmRefillP50Ms: number | undefined;
  requests: BenchRequest[];
  pool: PoolSample[];
  refills: BenchRefill[];
  burst?: BurstFigures;
  /** Container ids handed out more than once, and containers left after close (every mode). */
  reused: number;
  leaked: number;
  /** The runtimes compared (`--runtime`), in order, and the engine's default the ratios are to. */
  runtimes?: { names: string[]; default: string };
}
