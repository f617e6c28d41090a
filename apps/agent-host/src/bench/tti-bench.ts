import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import type Dockerode from 'dockerode';
import type { AgentHost } from '../compose/open-agent-host.js';
import { TtiClient } from './tti-client.js';
import {
  dockerodeIteration,
  dockerRunIteration,
  type FloorTarget,
  floorsLeft,
  inSandboxCost,
} from './tti-floors.js';
import { launch } from './tti-modes.js';
import { runSbxSeries } from './tti-series.js';
import type { TtiMode, TtiRun, TtiSeries } from './tti-types.js';

/** A host of its own for one series: opened, handed to `fn`, closed after (the CLI's `withHost`). */
export type WithHost = <T>(fn: (agent: AgentHost, signal: AbortSignal) => Promise<T>) => Promise<T>;

/** What one `sbx bench tti` run does. */
export interface TtiOptions {
  /** The cold `POST /v1/sandboxes` body of a runtime (`type`, `template` or `image`, `runtime`, ...). */
  bodyFor: (runtime: string) => Record<string, unknown>;
  /** The image the body resolves to (a template's built image): what the floors run. */
  image: string;
  target: string;
  modes: TtiMode[];
  count: number;
  intervalMs: number;
  runtimes: string[];
  caps: Record<string, number>;
  docker: Dockerode;
  withHost: WithHost;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** The small pool of a run: a fifth of the count (at least 1), so a burst or a quick sequence runs it dry. */
export function smallPool(count: number): number {
  return Math.max(1, Math.floor(count / 5));
}

/**
 * The whole run, per runtime: what `node -v` costs inside a container, then per mode the dockerode floor, sbx
 * cold, sbx from a pool sized for the run (`count`) and from one too small (`smallPool`); the `docker run`
 * floor once when sequential is among the modes. Each sbx series runs on a host of its own.
 */
export async function runTti(options: TtiOptions): Promise<TtiRun> {
  const startedAt = new Date();
  const t0 = performance.now();
  const runId = randomBytes(6).toString('hex');
  const series: TtiSeries[] = [];
  const inSandbox: TtiRun['inSandbox'] = [];
  const { count, intervalMs, log } = options;
  // A signal caught by a series' host (Ctrl-C) ends the whole run, not just that series.
  const interrupted = new AbortController();
  const signal = AbortSignal.any([options.signal, interrupted.signal]);
  const launchOptions = { count, intervalMs, signal };
  const client = new TtiClient();
  try {
    for (const runtime of options.runtimes) {
      let warmUp = true;
      const target: FloorTarget = { image: options.image, runtime, runId };
      inSandbox.push(await inSandboxCost(options.docker, target));
      for (const mode of options.modes) {
        if (signal.aborted) break;
        log(`${runtime} ${mode}: dockerode floor x${count}...`);
        const floor = await launch(mode, launchOptions, async () => ({
          sample: await dockerodeIteration(options.docker, target),
          done: Promise.resolve(),
        }));
        series.push({
          mode,
          source: 'dockerode',
          runtime,
          ...floor,
          leaked: await floorsLeft(options.docker, runId),
        });
        for (const source of ['cold', 'pool', 'pool-small'] as const) {
          if (signal.aborted) break;
          const poolSize = source === 'pool' ? count : source === 'pool-small' ? smallPool(count) : undefined;
          log(`${runtime} ${mode}: sbx ${source}${poolSize ? ` (pool of ${poolSize})` : ''} x${count}...`);
          series.push(
            await options.withHost((agent, hostSignal) => {
              hostSignal.addEventListener('abort', () => interrupted.abort(hostSignal.reason), {
                once: true,
              });
              const first = warmUp;
              warmUp = false;
              return runSbxSeries(agent, client, {
                mode,
                source,
                runtime,
                body: options.bodyFor(runtime),
                count,
                intervalMs,
                ...(poolSize ? { poolSize } : {}),
                warmUp: first,
                signal: AbortSignal.any([signal, hostSignal]),
                log,
              });
            }),
          );
        }
      }
      if (!signal.aborted && options.modes.includes('sequential')) {
        log(`${runtime}: docker run --rm floor x${count} (sequential)...`);
        const run = await launch('sequential', launchOptions, async () => ({
          sample: await dockerRunIteration(target),
          done: Promise.resolve(),
        }));
        series.push({
          mode: 'sequential',
          source: 'docker-run',
          runtime,
          ...run,
          leaked: await floorsLeft(options.docker, runId),
        });
      }
    }
  } finally {
    await client.close();
  }
  return {
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    target: options.target,
    image: options.image,
    count,
    intervalMs,
    modes: options.modes,
    runtimes: options.runtimes,
    machine: await machine(options.docker),
    caps: options.caps,
    inSandbox,
    series,
  };
}

async function machine(docker: Dockerode): Promise<TtiRun['machine']> {
  const version = (await docker.version().catch(() => undefined)) as { Version?: string } | undefined;
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    engine: version?.Version ? `Docker ${version.Version}` : 'Docker',
  };
}
