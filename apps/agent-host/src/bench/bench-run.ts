import { randomBytes } from 'node:crypto';
import { Sessions } from '../auth/sessions.js';
import { TokenTable } from '../auth/token-file.js';
import type { AgentHost } from '../compose/open-agent-host.js';
import { AgentHostError } from '../errors.js';
import { createApp } from '../http/create-app.js';
import { startServer } from '../http/start-server.js';
import type { Admitted } from '../kinds/admit-request.js';
import { type BenchAsker, BenchClient } from './bench-client.js';
import { MODES } from './bench-modes.js';
import { BENCH_POOL, benchLanes, type Lane, refillRate, refillsSince, untilFull } from './bench-pool.js';
import type { BenchMode, BenchRequest, BenchRun, PoolSample } from './bench-types.js';

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
  /**
   * Engine runtimes to compare in this run, the engine's default among them: each gets its own pool of
   * `poolSize` and the body with its `runtime`; sequential mode interleaves them (one cold and one pooled request
   * of each in turn), concurrent mode runs their blocks one runtime after the other.
   */
  runtimes?: { names: string[]; default: string };
}

/**
 * Runs one benchmark on a host of its own: serves the host's HTTP API on loopback, fills a pool of `poolSize`
 * with the body's spec, sends the mode's cold and pool requests through that API (each sandbox deleted once
 * answered), samples the pool, then closes the host and checks nothing it made is left on the engine.
 */
export async function runBench(agent: AgentHost, options: BenchOptions): Promise<BenchRun> {
  const log = options.log ?? (() => {});
  const lanes = benchLanes(options);
  // Each lane's body is admitted by the service (a template checked and pinned to its image) before any pool fills.
  const defs: Admitted[] = [];
  for (const lane of lanes) defs.push(await agent.service.admit(lane.body));
  const def = defs[0] as Admitted;
  const token = randomBytes(32).toString('base64url');
  const tokens = new TokenTable([{ tenant: 'bench', token }]);
  const server = await startServer(createApp(agent, { auth: { tokens, sessions: new Sessions() } }), {
    host: '127.0.0.1',
    port: 0,
  });
  const startedAt = new Date();
  const { service } = agent;
  const pool: PoolSample[] = [];
  const statsOf = (name: string) => () => {
    const found = service.pools.stats().find((p) => p.name === name);
    if (!found) throw new AgentHostError('POOL_NOT_FOUND', `the bench pool ${name} is gone`);
    return found;
  };
  const stats = statsOf(lanes[0]?.pool ?? BENCH_POOL);
  const pools = new Set(lanes.map((lane) => lane.pool));
  const requests: BenchRequest[] = [];
  let burst: Awaited<ReturnType<(typeof MODES)[BenchMode]>>;
  let warmRefillP50Ms: number | undefined;
  let rate = options.rate;
  let client: BenchClient | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;
  let durationMs = 0;
  try {
    const bench = new BenchClient({
      url: server.url,
      token,
      service,
      coldBody: options.body,
      pool: BENCH_POOL,
    });
    client = bench;
    // The timeline's ready members: every bench pool's together.
    sampler = setInterval(() => {
      const found = service.pools.stats().filter((p) => pools.has(p.name));
      if (found.length === 0) return;
      const sum = (key: 'ready' | 'refilling') => found.reduce((n, p) => n + p[key], 0);
      pool.push({ atMs: bench.now(), ready: sum('ready'), refilling: sum('refilling') });
    }, SAMPLE_EVERY_MS);
    await service.watch().catch((error: Error) => log(`not watching engine events: ${error.message}`));
    service.pools.start(
      lanes.map((lane, i) => {
        const laneDef = defs[i] as typeof def;
        return {
          name: lane.pool,
          type: laneDef.type,
          size: options.poolSize,
          spec: laneDef.spec,
          ...(laneDef.deadlineMs ? { deadlineMs: laneDef.deadlineMs } : {}),
        };
      }),
    );
    const askers = lanes.map(
      (lane): BenchAsker =>
        lane.runtime === undefined ? bench : bench.lane(lane.runtime, lane.body, lane.pool),
    );
    const waitFullOf = (name: string) => () => {
      // A refill that cannot succeed (a missing image, ...) rejects this wait with its own words, said once.
      let stopped: unknown;
      service.pools.ready(name, { signal: options.signal }).catch((error: unknown) => {
        stopped = error;
      });
      return untilFull(statsOf(name), options.poolSize, options.signal, () => stopped);
    };
    const waitFull = async () => {
      for (const lane of lanes) await waitFullOf(lane.pool)();
    };
    log(
      `filling ${lanes.length === 1 ? 'a pool' : `${lanes.length} pools (${lanes.map((l) => l.runtime).join(', ')})`} of ${options.poolSize}...`,
    );
    await waitFull();
    warmRefillP50Ms = stats().refillP50Ms;
    for (let i = 0; i < WARMUP; i++) {
      for (const asker of askers) {
        for (const kind of ['cold', 'pool'] as const) await asker.remove(await asker.ask(kind));
      }
    }
    await waitFull();
    if (options.mode === 'steady' && rate === undefined) {
      rate = await refillRate(bench, stats, options.poolSize, options.signal);
      log(`the pool refills ${rate.toFixed(1)} members/s while its members are used and deleted`);
      await waitFull();
    }
    log(`pool full (refill p50 ${warmRefillP50Ms?.toFixed(1)} ms); ${options.mode} x${options.count}...`);
    const contextOf = (i: number, count = options.count) => {
      const lane = lanes[i] as Lane;
      return {
        client: askers[i] as BenchAsker,
        count,
        concurrency: options.concurrency,
        rate: rate ?? 1,
        poolSize: options.poolSize,
        signal: options.signal,
        requests,
        stats: statsOf(lane.pool),
        waitFull: waitFullOf(lane.pool),
      };
    };
    if (lanes.length === 1) burst = await MODES[options.mode](contextOf(0));
    else if (options.mode === 'sequential') {
      // One cold and one pooled request of each runtime in turn: drift hits every runtime alike.
      for (let n = 0; n < options.count && !options.signal.aborted; n++) {
        for (let i = 0; i < lanes.length; i++) await MODES.sequential(contextOf(i, 1));
      }
    } else {
      for (let i = 0; i < lanes.length; i++) await MODES[options.mode](contextOf(i));
    }
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
  const leaked = await agent.service.leftOnEngine(def.type);
  return {
    mode: options.mode,
    image: String(options.body.image ?? (options.body.template ? `template ${options.body.template}` : '')),
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
    ...(options.runtimes ? { runtimes: options.runtimes } : {}),
  };
}
