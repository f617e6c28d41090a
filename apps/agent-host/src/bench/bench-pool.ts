// The bench's pools: one lane (pool and cold body) per runtime compared, waiting for a pool to fill, its refill
// rate under use, and the refills its KPI rows recorded.
import type { AgentHost } from '../compose/open-agent-host.js';
import { AgentHostError } from '../errors.js';
import type { BenchClient } from './bench-client.js';
import type { BenchMode, BenchRefill } from './bench-types.js';

/** The pool a run fills and asks. */
export const BENCH_POOL = 'bench';

/** One runtime of a comparison (or the whole run without one): its pool and its cold body. */
export interface Lane {
  runtime: string | undefined;
  pool: string;
  body: Record<string, unknown>;
}

/** The run's lanes: one per runtime compared (its own pool, its body with that runtime), else the one lane. */
export function benchLanes(options: {
  body: Record<string, unknown>;
  mode: BenchMode;
  runtimes?: { names: string[] } | undefined;
}): Lane[] {
  const lanes: Lane[] = options.runtimes
    ? options.runtimes.names.map((runtime) => ({
        runtime,
        pool: `${BENCH_POOL}-${runtime}`,
        body: { ...options.body, runtime },
      }))
    : [{ runtime: undefined, pool: BENCH_POOL, body: options.body }];
  if (lanes.length > 1 && options.mode !== 'sequential' && options.mode !== 'concurrent') {
    throw new AgentHostError(
      'INVALID_FLAG',
      `comparing runtimes runs sequential or concurrent mode (both interleave or repeat the same requests per runtime), not ${options.mode}`,
    );
  }
  return lanes;
}

/** Waits until the pool has `size` ready members and no refill under way (120 s at most). */
export async function untilFull(
  stats: () => { ready: number; refilling: number },
  size: number,
  signal: AbortSignal,
  stopped: () => unknown,
) {
  const end = Date.now() + 120_000;
  for (;;) {
    const { ready, refilling } = stats();
    if (ready >= size && refilling === 0) return;
    if (signal.aborted) throw signal.reason;
    const failure = stopped();
    if (failure !== undefined) throw failure;
    if (Date.now() > end)
      throw new AgentHostError(
        'NOT_RECORDED',
        `the bench pool did not fill within 120 s (${ready} of ${size} ready)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// Refills as their KPI rows have them, placed on the run's timeline by their wall-clock start.
export async function refillsSince(agent: AgentHost, since: Date): Promise<BenchRefill[]> {
  const rows = await agent.kpis.listRecent({ source: 'refill', limit: 10_000 });
  const wallAtT0 = since.getTime();
  return rows
    .filter((r) => r.timestamp >= since)
    .map((r) => ({
      atMs: r.timestamp.getTime() - wallAtT0,
      durationMs: r.durationMs,
      phases: r.phases,
      failed: r.error !== undefined,
      ...(r.runtime === undefined ? {} : { runtime: r.runtime }),
    }))
    .sort((a, b) => a.atMs - b.atMs);
}

/**
 * The pool's refill rate as it serves: takes 3 x size members one at a time, each as soon as one is ready, and
 * deletes each (as callers would), so the engine removes containers while the pool refills, as under load. The
 * rate is how many it handed out per second of that.
 */
export async function refillRate(
  client: BenchClient,
  stats: () => { ready: number },
  size: number,
  signal: AbortSignal,
): Promise<number> {
  const takes = 3 * size;
  const deletes: Promise<void>[] = [];
  const start = client.now();
  for (let i = 0; i < takes && !signal.aborted; i++) {
    while (stats().ready === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const taken = await client.ask('pool');
    deletes.push(client.remove(taken));
  }
  // Measured until the pool has caught up with what was taken: the pace it can keep.
  while (stats().ready < size && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2));
  const rate = (takes * 1000) / (client.now() - start);
  await Promise.all(deletes);
  return rate;
}
