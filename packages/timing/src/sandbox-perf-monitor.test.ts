import { type OverheadAlert, SandboxPerfMonitor, type SandboxPerfRecord, TimingError } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ALERT_THRESHOLD_MS } from './sandbox-perf-monitor.js';

const silent = () => ({ warn: vi.fn(), error: vi.fn() });

/** Starts `id`, lets `ms` of fake time pass, and stops it. */
function run(
  monitor: SandboxPerfMonitor,
  id: string,
  ms: number,
  outcome: SandboxPerfRecord['outcome'] = 'success',
) {
  monitor.start(id);
  vi.advanceTimersByTime(ms);
  return monitor.stop(id, { outcome });
}

describe('SandboxPerfMonitor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] });
    vi.setSystemTime(new Date('2026-11-22T10:00:00.000Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('records start time, duration and outcome', () => {
    const record = run(new SandboxPerfMonitor(), 'sb-1', 1_234, 'timeout');
    expect(record).toEqual({
      sandboxId: 'sb-1',
      startTime: Date.parse('2026-11-22T10:00:00.000Z'),
      durationMs: 1_234,
      outcome: 'timeout',
      alertFired: false,
    });
  });

  it("emits 'overhead-alert' at 101 ms with a 100 ms threshold, and not at 100 ms", () => {
    const monitor = new SandboxPerfMonitor({ alertThresholdMs: 100 });
    const alerts: OverheadAlert[] = [];
    monitor.on('overhead-alert', (alert) => alerts.push(alert));
    expect(run(monitor, 'at-limit', 100).alertFired).toBe(false);
    expect(run(monitor, 'over', 101).alertFired).toBe(true);
    expect(alerts).toEqual([{ sandboxId: 'over', durationMs: 101, thresholdMs: 100 }]);
  });

  it('defaults the threshold to 5000 ms', () => {
    const monitor = new SandboxPerfMonitor();
    expect(DEFAULT_ALERT_THRESHOLD_MS).toBe(5_000);
    expect(monitor.alertThresholdMs).toBe(5_000);
    expect(run(monitor, 'a', 5_000).alertFired).toBe(false);
    expect(run(monitor, 'b', 5_001).alertFired).toBe(true);
  });

  it('reports count, mean, max, nearest-rank p95 and alerts for 50/100/150 ms runs', () => {
    const monitor = new SandboxPerfMonitor();
    run(monitor, 'a', 50);
    run(monitor, 'b', 100);
    run(monitor, 'c', 150);
    expect(monitor.getReport()).toEqual({ count: 3, meanMs: 100, maxMs: 150, p95Ms: 150, alertCount: 0 });
  });

  it('returns a fresh report object each call, and an honest empty one', () => {
    const monitor = new SandboxPerfMonitor();
    const empty = monitor.getReport();
    expect(empty).toEqual({ count: 0, meanMs: undefined, maxMs: undefined, p95Ms: undefined, alertCount: 0 });
    empty.count = 99;
    expect(monitor.getReport().count).toBe(0);
    expect(monitor.getReport()).not.toBe(monitor.getReport());
  });

  it('counts alerts in the report', () => {
    const monitor = new SandboxPerfMonitor({ alertThresholdMs: 10 });
    run(monitor, 'a', 5);
    run(monitor, 'b', 20);
    run(monitor, 'c', 30, 'error');
    expect(monitor.getReport()).toMatchObject({ count: 3, alertCount: 2, maxMs: 30 });
  });

  it('sends each record to the sink', () => {
    const sink = { insert: vi.fn() };
    const record = run(new SandboxPerfMonitor({ sink }), 'a', 10);
    expect(sink.insert).toHaveBeenCalledWith('sandbox_perf_records', record);
  });

  it('a sink that throws or rejects does not break stop(), and is logged', async () => {
    const logger = silent();
    const throwing = new SandboxPerfMonitor({
      logger,
      sink: {
        insert: () => {
          throw new Error('db locked');
        },
      },
    });
    expect(run(throwing, 'a', 10).durationMs).toBe(10);
    const rejecting = new SandboxPerfMonitor({
      logger,
      sink: { insert: () => Promise.reject(new Error('gone')) },
    });
    expect(run(rejecting, 'b', 20).durationMs).toBe(20);
    await vi.waitFor(() => expect(logger.error).toHaveBeenCalledTimes(2));
    expect(logger.error.mock.calls[0]?.[1]).toMatchObject({
      sandboxId: 'a',
      error: { message: 'db locked' },
    });
    expect(throwing.getReport().count).toBe(1);
  });

  it('an alert listener that throws does not break stop()', () => {
    const logger = silent();
    const monitor = new SandboxPerfMonitor({ alertThresholdMs: 1, logger });
    monitor.on('overhead-alert', () => {
      throw new Error('listener bug');
    });
    expect(run(monitor, 'a', 5).alertFired).toBe(true);
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('forgets a run once stopped, so a long-lived process does not leak', () => {
    const monitor = new SandboxPerfMonitor();
    monitor.start('a');
    monitor.start('b');
    expect(monitor.activeCount).toBe(2);
    monitor.stop('a', { outcome: 'success' });
    expect(monitor.activeCount).toBe(1);
    expect(() => monitor.stop('a', { outcome: 'success' })).toThrow(/not started/);
  });

  it('times several runs of one sandbox at once by runId; each record carries the sandbox id', () => {
    const monitor = new SandboxPerfMonitor({ alertThresholdMs: 250 });
    monitor.start('sb', { runId: 'r1' });
    vi.advanceTimersByTime(100);
    monitor.start('sb', { runId: 'r2' });
    expect(monitor.activeCount).toBe(2);
    expect(() => monitor.start('sb', { runId: 'r1' })).toThrow(
      expect.objectContaining({ code: 'SANDBOX_ALREADY_STARTED' }),
    );
    vi.advanceTimersByTime(200);
    const first = monitor.stop('sb', { outcome: 'success', runId: 'r1' });
    expect(first).toMatchObject({ sandboxId: 'sb', durationMs: 300, alertFired: true });
    // A run is stopped only by its own sandbox id and run id.
    expect(() => monitor.stop('other', { outcome: 'success', runId: 'r2' })).toThrow(/not started/);
    expect(() => monitor.stop('sb', { outcome: 'success' })).toThrow(/not started/);
    expect(monitor.stop('sb', { outcome: 'error', runId: 'r2' })).toMatchObject({
      sandboxId: 'sb',
      durationMs: 200,
      outcome: 'error',
    });
    expect(monitor.activeCount).toBe(0);
    expect(() => monitor.start('sb', { runId: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('keeps at most maxCompletedRecords, dropping the oldest', () => {
    const monitor = new SandboxPerfMonitor({ maxCompletedRecords: 3 });
    for (const [i, ms] of [10, 20, 30, 40, 50].entries()) run(monitor, `s${i}`, ms);
    expect(monitor.records().map((r) => r.durationMs)).toEqual([30, 40, 50]);
    expect(monitor.getReport()).toMatchObject({ count: 3, meanMs: 40 });
    monitor.clear();
    expect(monitor.getReport().count).toBe(0);
  });

  it('refuses misuse with a code that says what was wrong', () => {
    const monitor = new SandboxPerfMonitor();
    expect(() => monitor.stop('ghost', { outcome: 'success' })).toThrow(
      expect.objectContaining({ code: 'SANDBOX_NOT_STARTED' }),
    );
    monitor.start('dup');
    expect(() => monitor.start('dup')).toThrow(expect.objectContaining({ code: 'SANDBOX_ALREADY_STARTED' }));
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    expect(() => monitor.stop('dup', { outcome: 'finished' as any })).toThrow(
      expect.objectContaining({ code: 'INVALID_OUTCOME' }),
    );
    expect(monitor.activeCount).toBe(1);
    expect(() => monitor.start('')).toThrow(TimingError);
    expect(() => new SandboxPerfMonitor({ alertThresholdMs: -1 })).toThrow(/alertThresholdMs/);
    expect(() => new SandboxPerfMonitor({ maxCompletedRecords: 0 })).toThrow(/maxCompletedRecords/);
  });

  it('forceFlush() waits for every sink write handed over so far, failed ones included', async () => {
    const writes: Array<() => void> = [];
    const written: string[] = [];
    const logger = { warn: vi.fn(), error: vi.fn() };
    const monitor = new SandboxPerfMonitor({
      logger,
      sink: {
        insert: (_table, record) =>
          new Promise<void>((resolve, reject) =>
            writes.push(() => {
              if (record.sandboxId === 'bad') reject(new Error('disk full'));
              else {
                written.push(record.sandboxId);
                resolve();
              }
            }),
          ),
      },
    });
    run(monitor, 'a', 1);
    run(monitor, 'bad', 1);
    let flushed = false;
    const flushing = monitor.forceFlush().then(() => {
      flushed = true;
    });
    await Promise.resolve();
    expect(flushed).toBe(false);
    for (const write of writes) write();
    await flushing;
    expect(written).toEqual(['a']);
    expect(logger.error).toHaveBeenCalledTimes(1);
    await monitor.forceFlush(); // nothing pending: resolves at once
  });
});
