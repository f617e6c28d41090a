import { randomBytes } from 'node:crypto';
import { Sessions } from '../auth/sessions.js';
import { TokenTable } from '../auth/token-file.js';
import type { AgentHost } from '../compose/open-agent-host.js';
import { createApp } from '../http/create-app.js';
import { startServer } from '../http/start-server.js';
import { healthFigures, type TtiClient } from './tti-client.js';
import { launch } from './tti-modes.js';
import type { TtiMode, TtiSeries, TtiSource } from './tti-types.js';

/** The pool a pooled series fills and asks. */
export const TTI_POOL = 'tti';
/**
 * Iterations run (and not reported) before the first series of each runtime is timed, so the process has
 * compiled the paths timed and the engine has started that runtime once; later series share the process.
 */
export const TTI_WARMUP = 1;
/** How often `/healthz` is asked while a series runs. */
export const HEALTHZ_EVERY_MS = 50;

/** One sbx series: its mode and source, the cold body (its runtime in it), and the pool's size if pooled. */
export interface SbxSeriesOptions {
  mode: TtiMode;
  source: Extract<TtiSource, 'cold' | 'pool' | 'pool-small'>;
  runtime: string;
  body: Record<string, unknown>;
  count: number;
  intervalMs: number;
  poolSize?: number;
  /** Run `TTI_WARMUP` untimed iterations first (the first series of a runtime). */
  warmUp: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * Runs one series on a host of its own (closed after it): serves the host's HTTP API on loopback, fills a pool
 * when pooled, runs the warm-up if asked, then launches the mode's iterations through `@sbx/client` on the
 * client thread while `/healthz` is polled; once the host is closed, counts the containers it left on the engine.
 */
export async function runSbxSeries(
  agent: AgentHost,
  client: TtiClient,
  options: SbxSeriesOptions,
): Promise<TtiSeries> {
  const def = await agent.service.admit(options.body);
  const token = randomBytes(32).toString('base64url');
  const tokens = new TokenTable([{ tenant: 'bench', token }]);
  const server = await startServer(createApp(agent, { auth: { tokens, sessions: new Sessions() } }), {
    host: '127.0.0.1',
    port: 0,
  });
  client.use({ baseUrl: server.url, token });
  const pooled = options.source !== 'cold';
  const create = pooled ? { pool: TTI_POOL } : options.body;
  let result: Omit<TtiSeries, 'leaked'>;
  try {
    await agent.service.watch().catch(() => {});
    if (pooled) {
      agent.service.pools.start([
        {
          name: TTI_POOL,
          type: def.type,
          size: options.poolSize ?? options.count,
          spec: def.spec,
          ...(def.deadlineMs ? { deadlineMs: def.deadlineMs } : {}),
        },
      ]);
      await full(agent, options.signal);
    }
    for (let i = 0; options.warmUp && i < TTI_WARMUP && !options.signal.aborted; i++) {
      const { sample, killed } = await client.iterate(create);
      await killed;
      if (!sample.ok) options.log(`warm-up failed: ${sample.error}`);
      if (pooled) await full(agent, options.signal);
    }
    await client.startHealth(HEALTHZ_EVERY_MS);
    const launched = await launch(options.mode, options, async () => {
      const { sample, killed } = await client.iterate(create);
      return { sample, done: killed };
    });
    const health = await client.stopHealth();
    result = {
      mode: options.mode,
      source: options.source,
      runtime: options.runtime,
      ...(pooled ? { poolSize: options.poolSize ?? options.count } : {}),
      samples: launched.samples,
      wallMs: launched.wallMs,
      healthz: healthFigures(health),
    };
  } finally {
    await server.close();
  }
  // Closing removes the pool's members; then nothing of this series may be left on the engine.
  await agent.close({ timeoutMs: 60_000 });
  return { ...result, leaked: await agent.service.leftOnEngine(def.type) };
}

// Until the pool has every member ready and no refill under way (120 s at most, a failed refill said at once).
async function full(agent: AgentHost, signal: AbortSignal): Promise<void> {
  await agent.service.pools.ready(TTI_POOL, { signal });
  const end = Date.now() + 120_000;
  for (;;) {
    const stats = agent.service.pools.stats().find((p) => p.name === TTI_POOL);
    if (!stats || (stats.ready >= stats.size && stats.refilling === 0)) return;
    if (signal.aborted) throw signal.reason;
    if (Date.now() > end) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
