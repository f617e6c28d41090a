import { SandboxPerfRecordRepository, type SbxDatabase, StoreError } from '@sbx/store';
import { type Clock, type Logger, SandboxPerfMonitor, type SandboxPerfRecord } from '@sbx/timing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const CREATED = new Date('2026-11-22T12:00:00.000Z');
const START = Date.parse('2026-11-22T11:59:00.000Z');

function run(overrides: Partial<SandboxPerfRecord> = {}): SandboxPerfRecord {
  return {
    sandboxId: 'sb-1',
    startTime: START,
    durationMs: 250,
    outcome: 'success',
    alertFired: false,
    ...overrides,
  };
}

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  let db: Kysely<SbxDatabase>;
  let perf: SandboxPerfRecordRepository;

  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    perf = new SandboxPerfRecordRepository(db, { wallClock: { now: () => CREATED } });
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('insert', () => {
    it('stores a record, rounding durations to whole milliseconds, and lists it newest first', async () => {
      await perf.insert('sandbox_perf_records', run({ sandboxId: "sb-'a'", durationMs: 1_234.5 }));
      await perf.insert(
        'sandbox_perf_records',
        run({ sandboxId: 'sb-b', durationMs: 0.4, outcome: 'timeout', alertFired: true }),
      );
      expect(await perf.listRecent()).toEqual([
        {
          id: 2,
          sandboxId: 'sb-b',
          startTime: START,
          durationMs: 0,
          outcome: 'timeout',
          alertFired: true,
          createdAt: CREATED,
        },
        {
          id: 1,
          sandboxId: "sb-'a'",
          startTime: START,
          durationMs: 1_235,
          outcome: 'success',
          alertFired: false,
          createdAt: CREATED,
        },
      ]);
      expect(await perf.listRecent(1)).toHaveLength(1);
      expect(await perf.count()).toBe(2);
      const [raw] = await db.selectFrom('sandbox_perf_records').selectAll().where('id', '=', 1).execute();
      expect(raw).toMatchObject({
        duration_ms: 1_235,
        alert_fired: 0,
        created_at: '2026-11-22T12:00:00.000Z',
      });
    });

    const cases: [string, unknown, string][] = [
      ['a non-object', 42, 'record'],
      ['an empty sandbox id', run({ sandboxId: '' }), 'sandboxId'],
      ['a NaN start time', run({ startTime: Number.NaN }), 'startTime'],
      ['a start time past the Date range', run({ startTime: 9e15 }), 'startTime'],
      ['a negative duration', run({ durationMs: -1 }), 'durationMs'],
      ['an infinite duration', run({ durationMs: Number.POSITIVE_INFINITY }), 'durationMs'],
      ['an unknown outcome', run({ outcome: 'crashed' as never }), 'outcome'],
      ['a non-boolean alert flag', run({ alertFired: 1 as never }), 'alertFired'],
    ];
    it.each(cases)('refuses %s, naming the field, and writes nothing', async (_label, record, field) => {
      const error = await perf
        .insert('sandbox_perf_records', record as SandboxPerfRecord)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field });
      expect(await perf.count()).toBe(0);
    });

    it('refuses another table name', async () => {
      await expect(perf.insert('users' as 'sandbox_perf_records', run())).rejects.toMatchObject({
        field: 'table',
      });
      expect(await perf.count()).toBe(0);
    });
  });

  describe('getReport', () => {
    it('matches the monitor it is the sink of, for the same runs', async () => {
      let now = 0;
      const clock: Clock = { now: () => now };
      const logger: Logger = { warn: vi.fn(), error: vi.fn() };
      // The monitor does not await its sink; keep the writes so the test can.
      const writes: Promise<void>[] = [];
      const sink = {
        insert: (table: 'sandbox_perf_records', r: SandboxPerfRecord) => {
          writes.push(perf.insert(table, r));
        },
      };
      const monitor = new SandboxPerfMonitor({ alertThresholdMs: 400, sink, clock, logger });
      const durations = [
        120, 80, 450, 300, 1_000, 60, 90, 410, 200, 150, 75, 33, 801, 99, 100, 101, 5, 7, 8, 12, 13,
      ];
      for (const [i, d] of durations.entries()) {
        monitor.start(`sb-${i}`);
        now += d;
        monitor.stop(`sb-${i}`, { outcome: i % 5 === 0 ? 'timeout' : 'success' });
      }
      await Promise.all(writes);
      expect(await perf.count()).toBe(durations.length);
      expect(await perf.getReport()).toEqual(monitor.getReport());
      expect(logger.error).not.toHaveBeenCalled();
    });

    it('reports over the newest n records, or all of them', async () => {
      for (let d = 1; d <= 40; d++)
        await perf.insert('sandbox_perf_records', run({ durationMs: d, alertFired: d > 35 }));
      expect(await perf.getReport({ window: 'all' })).toEqual({
        count: 40,
        meanMs: 20.5,
        maxMs: 40,
        p95Ms: 38,
        alertCount: 5,
      });
      expect(await perf.getReport({ window: 10 })).toEqual({
        count: 10,
        meanMs: 35.5,
        maxMs: 40,
        p95Ms: 40,
        alertCount: 5,
      });
    });

    it('has undefined durations when empty, and refuses a bad window', async () => {
      expect(await perf.getReport()).toEqual({
        count: 0,
        meanMs: undefined,
        maxMs: undefined,
        p95Ms: undefined,
        alertCount: 0,
      });
      await expect(perf.getReport({ window: -1 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'window',
      });
      await expect(perf.listRecent(0)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'limit' });
    });
  });

  it('wraps failures of a closed database', async () => {
    await db.destroy();
    await expect(perf.insert('sandbox_perf_records', run())).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    await expect(perf.getReport()).rejects.toMatchObject({ code: 'READ_FAILED' });
    await expect(perf.listRecent()).rejects.toMatchObject({ code: 'READ_FAILED' });
    await expect(perf.count()).rejects.toMatchObject({ code: 'READ_FAILED' });
    db = await openTestDatabase(dialect);
  });

  it('stamps created_at with the system clock by default', async () => {
    const plain = new SandboxPerfRecordRepository(db);
    const before = Date.now();
    await plain.insert('sandbox_perf_records', run());
    const [stored] = await plain.listRecent();
    expect(stored?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(stored?.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
