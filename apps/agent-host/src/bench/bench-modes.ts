import type { HostPoolStats } from '../core/host-pools.js';
import type { BenchAsker } from './bench-client.js';
import type { BenchMode, BenchRequest, BurstFigures } from './bench-types.js';

/** What a mode runs with. */
export interface ModeContext {
  client: BenchAsker;
  count: number;
  concurrency: number;
  /** Pool requests per second (steady). */
  rate: number;
  poolSize: number;
  signal: AbortSignal;
  /** Every answer, in the order they came. */
  requests: BenchRequest[];
  stats(): HostPoolStats;
  /** Resolves once the pool has all its members ready and no refill under way. */
  waitFull(): Promise<void>;
}

/** Runs the mode's requests; the burst mode also says what it found (the run adds reuse and leaks). */
export const MODES: Record<
  BenchMode,
  (ctx: ModeContext) => Promise<Omit<BurstFigures, 'reused' | 'leaked'> | undefined>
> = {
  // One cold, then one from the pool, each used and deleted before the next: drift hits both alike.
  async sequential(ctx) {
    for (let i = 0; i < ctx.count && !ctx.signal.aborted; i++) {
      for (const kind of ['cold', 'pool'] as const) await askAndRemove(ctx, kind);
    }
    return undefined;
  },
  // A block of cold requests, then (the pool full again) a block of pool requests, `concurrency` at a time.
  async concurrent(ctx) {
    for (const kind of ['cold', 'pool'] as const) {
      await ctx.waitFull();
      let next = 0;
      const worker = async () => {
        while (next < ctx.count && !ctx.signal.aborted) {
          next++;
          await askAndRemove(ctx, kind);
        }
      };
      await Promise.all(Array.from({ length: Math.min(ctx.concurrency, ctx.count) }, worker));
    }
    return undefined;
  },
  // `count` pool requests at once on a full pool, and the time from then until it is full again; then `count`
  // cold ones at once.
  async burst(ctx) {
    await ctx.waitFull();
    const sent = ctx.client.now();
    const refilled = fullAgain(ctx, sent);
    const answers = await Promise.all(Array.from({ length: ctx.count }, () => ask(ctx, 'pool')));
    const refillBackMs = await refilled;
    await Promise.all(answers.map((r) => ctx.client.remove(r)));
    await ctx.waitFull();
    const cold = await Promise.all(Array.from({ length: ctx.count }, () => ask(ctx, 'cold')));
    await Promise.all(cold.map((r) => ctx.client.remove(r)));
    return {
      count: ctx.count,
      hits: answers.filter((r) => r.status === 201 && r.source === 'pool').length,
      misses: answers.filter((r) => r.status === 201 && r.source === 'cold').length,
      allReady: answers.every((r) => r.status === 201),
      refillBackMs,
    };
  },
  // Pool requests arriving every 1/rate s whatever happened to earlier ones; each is deleted once answered.
  async steady(ctx) {
    const start = ctx.client.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < ctx.count && !ctx.signal.aborted; i++) {
      const due = start + (i * 1000) / ctx.rate;
      const wait = due - ctx.client.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(ask(ctx, 'pool').then((r) => ctx.client.remove(r)));
    }
    await Promise.all(pending);
    return undefined;
  },
};

async function ask(ctx: ModeContext, kind: BenchRequest['kind']): Promise<BenchRequest> {
  const request = await ctx.client.ask(kind);
  ctx.requests.push(request);
  return request;
}

async function askAndRemove(ctx: ModeContext, kind: BenchRequest['kind']): Promise<void> {
  await ctx.client.remove(await ask(ctx, kind));
}

// Watches the pool in-process (no HTTP in the way) every 2 ms: once it has been emptied, the time from `fromMs`
// until all its members are ready again; undefined when that does not happen within 60 s.
async function fullAgain(ctx: ModeContext, fromMs: number): Promise<number | undefined> {
  const end = fromMs + 60_000;
  let emptied = false;
  while (ctx.client.now() < end && !ctx.signal.aborted) {
    const { ready } = ctx.stats();
    if (ready < ctx.poolSize) emptied = true;
    else if (emptied) return ctx.client.now() - fromMs;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return undefined;
}
