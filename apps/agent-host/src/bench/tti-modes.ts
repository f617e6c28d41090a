import type { TtiMode, TtiSample } from './tti-types.js';

/** One iteration as a mode launches it: its sample once timed, and `done` once its sandbox is gone. */
export type Iterate = () => Promise<{ sample: TtiSample; done: Promise<void> }>;

/** What a mode launched: every sample (in launch order, `atMs` from the first launch) and the wall time. */
export interface Launched {
  samples: TtiSample[];
  wallMs: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Launches `count` iterations the leaderboard's way: `sequential` awaits each (its teardown included) before
 * the next; `staggered` launches one every `intervalMs` whatever earlier ones are doing; `burst` launches all
 * at once. Stops launching once `signal` aborts (what was launched is awaited). `atMs` of each sample is made
 * relative to the first launch; the wall time runs from it until the last sample (teardowns not included).
 */
export async function launch(
  mode: TtiMode,
  options: { count: number; intervalMs: number; signal: AbortSignal },
  iterate: Iterate,
): Promise<Launched> {
  const t0 = now();
  const samples: TtiSample[] = [];
  const done: Promise<void>[] = [];
  let last = t0;
  const one = async (slot: number) => {
    const { sample, done: gone } = await iterate();
    samples[slot] = { ...sample, atMs: sample.atMs - t0 };
    last = Math.max(last, sample.atMs + sample.ttiMs);
    done.push(gone);
    return gone;
  };
  if (mode === 'sequential') {
    for (let i = 0; i < options.count && !options.signal.aborted; i++) await await one(i);
  } else {
    const running: Promise<unknown>[] = [];
    for (let i = 0; i < options.count && !options.signal.aborted; i++) {
      if (mode === 'staggered' && i > 0) {
        const wait = t0 + i * options.intervalMs - now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      running.push(one(i));
    }
    await Promise.all(running);
  }
  await Promise.all(done);
  return { samples: samples.filter(Boolean), wallMs: last - t0 };
}
