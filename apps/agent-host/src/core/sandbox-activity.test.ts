import { describe, expect, it } from 'vitest';
import { SandboxActivity } from './sandbox-activity.js';

describe('SandboxActivity', () => {
  it('a sandbox with nothing under way for idleTimeoutMs is due as idle; one past its expiry as expired', () => {
    let now = 1_000;
    const activity = new SandboxActivity({ now: () => now, idleTimeoutMs: 500 });
    activity.add('a', 10_000);
    activity.add('b', 1_200);
    now = 1_300;
    expect(activity.due()).toEqual([{ id: 'b', reason: 'expired' }]);
    now = 1_500;
    expect(activity.due()).toEqual([
      { id: 'a', reason: 'idle' },
      { id: 'b', reason: 'expired' },
    ]);
  });

  it('a command under way keeps a sandbox from idling; its end restarts the idle clock', () => {
    let now = 0;
    const activity = new SandboxActivity({ now: () => now, idleTimeoutMs: 100 });
    activity.add('a', 1_000_000);
    const done = activity.begin('a');
    now = 500;
    expect(activity.due()).toEqual([]);
    done();
    done();
    expect(activity.times('a')).toMatchObject({ busy: 0, lastActiveAt: 500 });
    now = 599;
    expect(activity.due()).toEqual([]);
    now = 600;
    expect(activity.due()).toEqual([{ id: 'a', reason: 'idle' }]);
  });

  it('an extended expiry is kept by the host: alive() follows it, not the first one', () => {
    let now = 0;
    const activity = new SandboxActivity({ now: () => now });
    activity.add('a', 100);
    activity.setExpiry('a', 1_000);
    now = 500;
    expect(activity.alive('a')).toBe(true);
    expect(activity.due()).toEqual([]);
    expect(activity.alive('unknown')).toBe(true);
    activity.remove('a');
    expect(activity.times('a')).toBeUndefined();
  });
});
