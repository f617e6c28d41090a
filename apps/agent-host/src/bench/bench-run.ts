import { randomBytes } from 'node:crypto';
import type { SandboxType } from '@sbx/timing';
import { parseSandboxBody } from '../adapters/sandbox-body.js';
import { Sessions } from '../auth/sessions.js';
import { TokenTable } from '../auth/token-file.js';
import { AgentHostError } from '../errors.js';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import { createApp } from '../server/create-app.js';
import { startServer } from '../server/start-server.js';
import { BenchClient } from './bench-client.js';
import { MODES } from './bench-modes.js';
import type { BenchMode, BenchRefill, BenchRequest, BenchRun, PoolSample } from './bench-types.js';

/** The pool a run fills and asks. */
export const BENCH_POOL = 'bench';
/** How often the run samples the pool for its timeline. */
const SAMPLE_EVERY_MS = 20;
/** Requests of each kind sent (and deleted) before measuring, so the JIT has compiled the paths being timed. */
const WARMUP = 3;

/** What one `sbx bench` run does. */
export interface BenchOptions {
  /** The `POST /v1/sandboxes` body of a cold request (its `type` included); the pool keeps the same spec. */
  body: Record<string, unknown>;
  poolSize: number;
  mode: BenchMode;
  count: number;
  concurrency: number;
  /** Pool requests per second in steady mode; default the pool's refill rate, measured first (`refillRate`). */
  rate?: number;
  signal: AbortSignal;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

/**
 * Runs one benchmark on a host of its own: serves the host's HTTP API on loopback, fills a pool of `poolSize`
 * with the body's spec, sends the mode's cold and pool requests through that API (each sandbox deleted once
 * answered), samples the pool, then closes the host and checks nothing it made is left on the engine.
 */
export async function runBench(agent: AgentHost, options: BenchOptions): Promise<BenchRun> {
  const log = options.log ?? (() => {});
  const def = parseSandboxBody(options.body, agent.config.policy);
  const token = randomBytes(32).toString('base64url');
  const tokens = new TokenTable([{ tenant: 'bench', token }]);
  const server = await startServer(createApp(agent, { auth: { tokens, sessions: new Sessions() } }), {
    host: '127.0.0.1',
    port: 0,
  });
  const startedAt = new Date();
  const host = agent.host;
  const pool: PoolSample[] = [];
  const stats = () => {
    const found = host.poolStats().find((p) => p.name === BENCH_POOL);
    if (!found) throw new AgentHostError('POOL_NOT_FOUND', 'the bench pool is gone');
    return found;
  };
  const requests: BenchRequest[] = [];
  let burst: Awaited<ReturnType<(typeof MODES)[BenchMode]>>;
  let warmRefillP50Ms: number | undefined;
  let rate = options.rate;
  let client: BenchClient | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;
  let durationMs = 0;
  try {
    const bench = new BenchClient({ url: server.url, token, host, coldBody: options.body, pool: BENCH_POOL });
    client = bench;
    sampler = setInterval(() => {
      const found = host.poolStats().find((p) => p.name === BENCH_POOL);
      if (found) pool.push({ atMs: bench.now(), ready: found.ready, refilling: found.refilling });
    }, SAMPLE_EVERY_MS);
    await host.watch().catch((error: Error) => log(`not watching engine events: ${error.message}`));
    host.startPools([
      {
        name: BENCH_POOL,
        type: def.type,
        size: options.poolSize,
        spec: def.spec,
        ...(def.deadlineMs ? { deadlineMs: def.deadlineMs } : {}),
      },
    ]);
    const waitFull = () => untilFull(stats, options.poolSize, options.signal);
    log(`filling a pool of ${options.poolSize}...`);
    await waitFull();
    warmRefillP50Ms = stats().refillP50Ms;
    for (let i = 0; i < WARMUP; i++) {
      for (const kind of ['cold', 'pool'] as const) await bench.remove(await bench.ask(kind));
    }
    await waitFull();
    if (options.mode === 'steady' && rate === undefined) {
      rate = await refillRate(bench, stats, options.poolSize, options.signal);
      log(`the pool refills ${rate.toFixed(1)} members/s while its members are used and deleted`);
      await waitFull();
    }
    log(`pool full (refill p50 ${warmRefillP50Ms?.toFixed(1)} ms); ${options.mode} x${options.count}...`);
    burst = await MODES[options.mode]({
      client: bench,
      count: options.count,
      concurrency: options.concurrency,
      rate: rate ?? 1,
      poolSize: options.poolSize,
      signal: options.signal,
      requests,
      stats,
      waitFull,
    });
    durationMs = bench.now();
  } finally {
    clearInterval(sampler);
    await client?.close();
    await server.close();
  }
  const refills = await refillsSince(agent, startedAt);
  const handedOut = requests.flatMap((r) => (r.containerId ? [r.containerId] : []));
  const reused = handedOut.length - new Set(handedOut).size;
  // Closing removes the pool's members; then nothing of this run may be left on the engine.
  await agent.close({ timeoutMs: 30_000 });
  const leaked = await leftOnEngine(agent, def.type);
  return {
    mode: options.mode,
    image: String(options.body.image ?? ''),
    poolSize: options.poolSize,
    count: options.count,
    concurrency: options.concurrency,
    ...(options.mode === 'steady' ? { rate } : {}),
    startedAt: startedAt.toISOString(),
    durationMs,
    warmRefillP50Ms,
    requests,
    pool,
    refills,
    ...(burst ? { burst: { ...burst, reused, leaked } } : {}),
    reused,
    leaked,
  };
}

async function untilFull(
  stats: () => { ready: number; refilling: number },
  size: number,
  signal: AbortSignal,
) {
  const end = Date.now() + 120_000;
  for (;;) {
    const { ready, refilling } = stats();
    if (ready >= size && refilling === 0) return;
    if (signal.aborted) throw signal.reason;
    if (Date.now() > end)
      throw new AgentHostError(
        'NOT_RECORDED',
        `the bench pool did not fill within 120 s (${ready} of ${size} ready)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// Refills as their KPI rows have them, placed on the run's timeline by their wall-clock start.
async function refillsSince(agent: AgentHost, since: Date): Promise<BenchRefill[]> {
  const rows = await agent.kpis.listRecent({ source: 'refill', limit: 10_000 });
  const wallAtT0 = since.getTime();
  return rows
    .filter((r) => r.timestamp >= since)
    .map((r) => ({
      atMs: r.timestamp.getTime() - wallAtT0,
      durationMs: r.durationMs,
      phases: r.phases,
      failed: r.error !== undefined,
    }))
    .sort((a, b) => a.atMs - b.atMs);
}

// Containers of this host's owner still on the engine (the adapter says who it is and lists what sbx made).
async function leftOnEngine(agent: AgentHost, type: SandboxType): Promise<number> {
  const adapter = agent.host.adapter(type) as
    | { owner?: string; listManaged?: () => Promise<Array<{ owner: string }>> }
    | undefined;
  if (!adapter?.listManaged || !adapter.owner) return 0;
  const owner = adapter.owner;
  return (await adapter.listManaged()).filter((c) => c.owner === owner).length;
}

/**
 * The pool's refill rate as it serves: takes 3 x size members one at a time, each as soon as one is ready, and
 * deletes each (as callers would), so the engine removes containers while the pool refills, as under load. The
 * rate is how many it handed out per second of that.
 */
async function refillRate(
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
