import { describe, expect, it } from 'vitest';
import { budget, CloseOnce } from './close-once.js';

describe('CloseOnce', () => {
  it('starts the close on the first call only; every later call gets the same promise', async () => {
    const once = new CloseOnce<string>();
    let runs = 0;
    expect(once.started).toBe(false);
    const first = once.run(async () => `closed ${++runs}`);
    expect(once.started).toBe(true);
    const second = once.run(async () => `closed ${++runs}`);
    expect(second).toBe(first);
    expect(await second).toBe('closed 1');
    expect(runs).toBe(1);
  });

  it('hands the first close failure to every caller, without running it again', async () => {
    const once = new CloseOnce<void>();
    let runs = 0;
    const fail = async () => {
      runs++;
      throw new Error('flush failed');
    };
    await expect(once.run(fail)).rejects.toThrow('flush failed');
    await expect(once.run(fail)).rejects.toThrow('flush failed');
    expect(runs).toBe(1);
  });
});

describe('budget', () => {
  it('counts down from timeoutMs and never goes below 0', () => {
    expect(budget(10_000)()).toBeGreaterThan(9_000);
    expect(budget(-5)()).toBe(0);
  });
});
