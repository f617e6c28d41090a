import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DueReason } from '../sandbox-activity.js';
import { ExpirySweep } from './expiry-sweep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ExpirySweep', () => {
  it('ends every due sandbox on its timer, nothing while the host closes, and stops at close()', async () => {
    vi.useFakeTimers();
    let closing = false;
    const due: Array<{ id: string; reason: DueReason }> = [
      { id: 'box-1', reason: 'idle' },
      { id: 'box-2', reason: 'expired' },
    ];
    const expire = vi.fn();
    const sweep = new ExpirySweep({ due: () => due, expire, closing: () => closing, idleTimeoutMs: 400 });
    vi.advanceTimersByTime(100);
    expect(expire.mock.calls).toEqual([
      ['box-1', 'idle'],
      ['box-2', 'expired'],
    ]);
    closing = true;
    vi.advanceTimersByTime(100);
    expect(expire).toHaveBeenCalledTimes(2);
    closing = false;
    expect(await sweep.close()).toEqual({ complete: true });
    vi.advanceTimersByTime(1_000);
    expect(expire).toHaveBeenCalledTimes(2);
  });
});
