import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Iterate, launch } from './tti-modes.js';

// An iteration that takes `ms` and whose teardown takes `teardownMs`; it records how many ran at once.
function probe(ms: number, teardownMs = 0) {
  let running = 0;
  const state = { peak: 0, launchedAt: [] as number[] };
  const iterate: Iterate = async () => {
    running++;
    state.peak = Math.max(state.peak, running);
    const atMs = performance.timeOrigin + performance.now();
    state.launchedAt.push(atMs);
    await new Promise((resolve) => setTimeout(resolve, ms));
    const done = new Promise<void>((resolve) =>
      setTimeout(() => {
        running--;
        resolve();
      }, teardownMs),
    );
    return { sample: { atMs, ttiMs: ms, ok: true }, done };
  };
  return { iterate, state };
}

const never = new AbortController().signal;

// The clock is fake (timers and performance.now), so the launch times are exact whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function run<T>(launched: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return launched;
}

describe('launch', () => {
  it('sequential: one at a time, the teardown of each before the next begins', async () => {
    const { iterate, state } = probe(5, 5);
    const out = await run(launch('sequential', { count: 4, intervalMs: 200, signal: never }, iterate));
    expect(state.peak).toBe(1);
    expect(out.samples).toHaveLength(4);
    expect(out.samples.map((s) => s.atMs)).toEqual([0, 10, 20, 30]);
  });

  it('burst: every iteration launched before the first answers', async () => {
    const { iterate, state } = probe(30);
    const out = await run(launch('burst', { count: 20, intervalMs: 200, signal: never }, iterate));
    expect(state.peak).toBe(20);
    expect(out.samples.every((s) => s.atMs === 0)).toBe(true);
  });

  it('staggered: one launch per interval, not waiting for earlier ones', async () => {
    const { iterate, state } = probe(100);
    const out = await run(launch('staggered', { count: 4, intervalMs: 40, signal: never }, iterate));
    // Launch i is due i intervals after the first (scheduled against the start, so lateness does not add up).
    const first = state.launchedAt[0] as number;
    state.launchedAt.forEach((t, i) => {
      expect(t - first).toBe(i * 40);
    });
    expect(state.peak).toBeGreaterThan(1);
    expect(out.wallMs).toBe(3 * 40 + 100);
  });

  it('stops launching once aborted and returns what was launched', async () => {
    const controller = new AbortController();
    const { iterate } = probe(5);
    const stopping: Iterate = async () => {
      const r = await iterate();
      controller.abort();
      return r;
    };
    const out = await run(
      launch('sequential', { count: 10, intervalMs: 1, signal: controller.signal }, stopping),
    );
    expect(out.samples).toHaveLength(1);
  });
});
