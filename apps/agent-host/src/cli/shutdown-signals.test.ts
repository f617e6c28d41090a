import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from './cli-io.js';
import { reportLingeringResources, SAME_REQUEST_MS, trapShutdownSignals } from './shutdown-signals.js';

function io(env: NodeJS.ProcessEnv = {}) {
  let err = '';
  const sink: CliIo = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (err += text) },
    env,
  };
  return { sink, err: () => err };
}

describe('trapShutdownSignals', () => {
  afterEach(() => vi.useRealTimers());

  it('aborts at the first signal and exits 130 at a second one, after its last resort', () => {
    const out = io();
    const exit = vi.fn();
    const lastResort = vi.fn(() => '2 sandbox(es) may be left behind');
    let clock = 0;
    const trap = trapShutdownSignals(out.sink, lastResort, exit, () => clock);
    try {
      process.emit('SIGHUP', 'SIGHUP');
      expect(trap.signal.aborted).toBe(true);
      expect(trap.signal.reason).toMatchObject({ name: 'InterruptedError', signalName: 'SIGHUP' });
      expect(exit).not.toHaveBeenCalled();
      clock = SAME_REQUEST_MS;
      process.emit('SIGINT', 'SIGINT');
      expect(lastResort).toHaveBeenCalledTimes(1);
      expect(exit).toHaveBeenCalledWith(130);
      expect(out.err()).toContain('SIGHUP: stopping');
      expect(out.err()).toContain('SIGINT again: exiting now; 2 sandbox(es) may be left behind');
    } finally {
      trap.dispose();
    }
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('takes any signal within SAME_REQUEST_MS of the first as the same request (Ctrl-C under pnpm)', () => {
    const out = io();
    const exit = vi.fn();
    const lastResort = vi.fn(() => undefined);
    let clock = 5_000;
    const trap = trapShutdownSignals(out.sink, lastResort, exit, () => clock);
    try {
      // The terminal's SIGINT to the process group, then pnpm's forwarded SIGTERM (and a repeat of either).
      process.emit('SIGINT', 'SIGINT');
      clock += 3;
      process.emit('SIGTERM', 'SIGTERM');
      clock += SAME_REQUEST_MS - 4;
      process.emit('SIGINT', 'SIGINT');
      expect(trap.signal.reason).toMatchObject({ signalName: 'SIGINT' });
      expect(lastResort).not.toHaveBeenCalled();
      expect(exit).not.toHaveBeenCalled();
      expect(out.err().match(/stopping/g)).toHaveLength(1);
      expect(out.err()).not.toContain('again');
    } finally {
      trap.dispose();
    }
  });

  it('with SBX_DEBUG=1 says what keeps the process alive 5 s after close, without keeping it alive', () => {
    vi.useFakeTimers();
    const quiet = io();
    reportLingeringResources(quiet.sink);
    vi.advanceTimersByTime(5_000);
    expect(quiet.err()).toBe('');
    const debug = io({ SBX_DEBUG: '1' });
    reportLingeringResources(debug.sink);
    vi.advanceTimersByTime(4_999);
    expect(debug.err()).toBe('');
    vi.advanceTimersByTime(1);
    expect(debug.err()).toMatch(/still running 5000 ms after close; active resources: \[/);
  });
});
