/** How `sbx bench tti` launches its iterations, as the public leaderboard's three tests do. */
export const TTI_MODES = Object.freeze(['sequential', 'staggered', 'burst'] as const);

/**
 * `sequential`: one at a time, each created, run and destroyed before the next; `staggered`: one launched every
 * `--interval` ms whether or not earlier ones are done; `burst`: all `--count` launched at once.
 */
export type TtiMode = (typeof TTI_MODES)[number];

/**
 * Where a series' sandboxes come from: sbx cold (`cold`), an sbx warm pool sized for the run (`pool`) or too
 * small for it (`pool-small`, so misses show), and the floors that run no sbx code: raw dockerode create +
 * start + exec (`dockerode`) and the `docker run --rm` CLI (`docker-run`).
 */
export const TTI_SOURCES = Object.freeze(['cold', 'pool', 'pool-small', 'dockerode', 'docker-run'] as const);

/** One of `TTI_SOURCES`. */
export type TtiSource = (typeof TTI_SOURCES)[number];

/** One iteration: from the create call to `node -v`'s output read back. */
export interface TtiSample {
  /** When it was launched, in ms since its series began. */
  atMs: number;
  /** Time to interactive; for a failed iteration, how long it took to fail. */
  ttiMs: number;
  /** The create call alone (sbx: `POST /v1/sandboxes`; dockerode: create + start). */
  createMs?: number;
  ok: boolean;
  /** What went wrong (a failed iteration): the client's error code and message, one line. */
  error?: string;
  /** A pool's member (`true`) or provisioned cold because the pool was empty (`false`); sbx pooled series. */
  hit?: boolean;
}

/** The host's `GET /healthz` as the client saw it while a series ran (sbx series). */
export interface HealthzFigures {
  n: number;
  failed: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  maxMs: number | undefined;
}

/** Every iteration of one mode, source and runtime. */
export interface TtiSeries {
  mode: TtiMode;
  source: TtiSource;
  runtime: string;
  /** The pool's size (pooled sources). */
  poolSize?: number;
  samples: TtiSample[];
  /** From the first launch until the last iteration answered. */
  wallMs: number;
  healthz?: HealthzFigures;
  /** Containers of this series left on the engine once it was over (must be 0). */
  leaked: number;
}

/** What `node -v` itself costs inside a sandbox of one runtime (medians of a few runs). */
export interface InSandboxCost {
  runtime: string;
  /** Wall time of `node -v` measured inside the container (shell timestamps around it). */
  wallMs: number;
  /** Its user + system CPU time (the shell's `times` for its children). */
  cpuMs: number;
}

/** The machine a run measured. */
export interface TtiMachine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  engine: string;
}

/** One `sbx bench tti` run: every series and what the floors are made of. */
export interface TtiRun {
  startedAt: string;
  durationMs: number;
  /** What was created: `template node (sbx-template/node:HASH)` or the image. */
  target: string;
  image: string;
  count: number;
  intervalMs: number;
  modes: TtiMode[];
  runtimes: string[];
  machine: TtiMachine;
  /** The host's caps as the run raised them (`sbx serve` flags of the same names). */
  caps: Record<string, number>;
  inSandbox: InSandboxCost[];
  series: TtiSeries[];
}
