import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepaliveIntervalMs, keptAlive } from './keepalive.js';

const headers = (interval?: string) =>
  new Headers(interval === undefined ? {} : { 'Keepalive-Ping-Interval': interval });

// A source the test feeds: push(value) delivers one message, end() finishes it, fail() throws into it.
function feed() {
  const queue: Array<IteratorResult<string> | Error> = [];
  let wake: () => void = () => {};
  const source: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const item = queue.shift() as IteratorResult<string> | Error;
        if (item instanceof Error) throw item;
        return item;
      },
    }),
  };
  const put = (item: IteratorResult<string> | Error) => {
    queue.push(item);
    wake();
  };
  return {
    source,
    push: (value: string) => put({ value, done: false }),
    end: () => put({ value: undefined, done: true }),
    fail: (error: Error) => put(error),
  };
}

describe('keepalive on server streams', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads the client's Keepalive-Ping-Interval in seconds; envd's 90 s when absent or bad", () => {
    expect(keepaliveIntervalMs(headers('50'))).toBe(50_000);
    expect(keepaliveIntervalMs(headers('1'))).toBe(1_000);
    for (const bad of [undefined, '', '0', '-5', 'abc', '1e3', '2.5', '99999999']) {
      expect(keepaliveIntervalMs(headers(bad))).toBe(90_000);
    }
  });

  it('sends a keepalive after each quiet interval; a message restarts the timer; the end ends it', async () => {
    const { source, push, end } = feed();
    const seen: string[] = [];
    const done = (async () => {
      for await (const v of keptAlive({ requestHeader: headers('2') }, source, () => 'ka')) seen.push(v);
    })();
    await vi.advanceTimersByTimeAsync(1_900);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(seen).toEqual(['ka']);
    await vi.advanceTimersByTimeAsync(1_500);
    push('data');
    await vi.advanceTimersByTimeAsync(1_900); // 3.4 s since the last keepalive, 1.9 s since the data
    expect(seen).toEqual(['ka', 'data']);
    await vi.advanceTimersByTimeAsync(3_900); // 5.8 s since the data: two quiet intervals
    expect(seen).toEqual(['ka', 'data', 'ka', 'ka']);
    end();
    await done;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toEqual(['ka', 'data', 'ka', 'ka']);
  });

  it("passes the source's error on", async () => {
    const { source, fail } = feed();
    const it = keptAlive({ requestHeader: headers() }, source, () => 'ka');
    const next = it.next();
    fail(new Error('agent gone'));
    await expect(next).rejects.toThrow('agent gone');
  });
});
