import {
  judgeSla,
  quantile,
  SLA_WINDOW,
  type SlaSample,
  slaVerdict,
  TimingError,
  tallySla,
} from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test-support/seeded-random.js';

const LIMIT = 30_000;
const fast = (durationMs = 120): SlaSample => ({ durationMs, slaLimitMs: LIMIT, failed: false });
const failure = (durationMs = 4): SlaSample => ({ durationMs, slaLimitMs: LIMIT, failed: true });
const cancelled = (durationMs = 900): SlaSample => ({ ...failure(durationMs), cancelled: true });
const callerFailure = (durationMs = 40): SlaSample => ({ ...failure(durationMs), callerFailed: true });
const verdict = (samples: SlaSample[]) => slaVerdict(samples, { slaLimitMs: LIMIT });

// A small deterministic PRNG so failures reproduce.
describe('the SLA verdict', () => {
  it('5 failures of 5 is breached, because of failures, even though each failed in a few ms', () => {
    const v = verdict(Array.from({ length: 5 }, () => failure(3)));
    expect(v).toMatchObject({ status: 'breached', reason: 'failures', n: 5, failures: 5, breaches: 5 });
    expect(v.p95Ms).toBe(Number.POSITIVE_INFINITY);
  });

  it('4 failures among 100 fast provisionings is met; 6 is breached (failures)', () => {
    const four = verdict([
      ...Array.from({ length: 96 }, () => fast()),
      ...Array.from({ length: 4 }, () => failure()),
    ]);
    expect(four).toMatchObject({ status: 'met', reason: undefined, n: 100, failures: 4, allowedBreaches: 5 });
    expect(four.p95Ms).toBe(120);
    const five = verdict([
      ...Array.from({ length: 95 }, () => fast()),
      ...Array.from({ length: 5 }, () => failure()),
    ]);
    expect(five.status).toBe('met');
    const six = verdict([
      ...Array.from({ length: 94 }, () => fast()),
      ...Array.from({ length: 6 }, () => failure()),
    ]);
    expect(six).toMatchObject({ status: 'breached', reason: 'failures', failures: 6 });
    expect(six.p95Ms).toBe(Number.POSITIVE_INFINITY);
  });

  it('says latency when slow but ready provisionings reach the P95 rank', () => {
    const slow = verdict([
      ...Array.from({ length: 92 }, () => fast()),
      ...Array.from({ length: 4 }, () => failure()),
      ...Array.from({ length: 4 }, () => fast(31_000)),
    ]);
    expect(slow).toMatchObject({ status: 'breached', reason: 'latency', breaches: 8, failures: 4 });
    expect(slow.p95Ms).toBe(31_000);
  });

  it('leaves cancelled provisionings out and counts them on their own', () => {
    const samples = [
      ...Array.from({ length: 50 }, () => cancelled()),
      ...Array.from({ length: 3 }, () => fast()),
    ];
    expect(verdict(samples)).toMatchObject({ status: 'met', n: 3, failures: 0, cancelled: 50 });
    expect(verdict(Array.from({ length: 7 }, () => cancelled()))).toMatchObject({
      status: 'no-data',
      n: 0,
      cancelled: 7,
      p95Ms: undefined,
    });
  });

  it('leaves caller failures out (a misspelt image, a command exiting at once): they never breach', () => {
    // 30 caller failures among 70 fast provisionings: judged by the platform's 70 alone.
    const samples = Array.from({ length: 100 }, (_, i) => (i % 10 < 3 ? callerFailure() : fast()));
    const v = verdict(samples);
    expect(v).toMatchObject({ status: 'met', n: 70, failures: 0, breaches: 0, callerFailures: 30 });
    expect(v.p95Ms).toBe(120);
    // Only caller failures: nothing to judge, not a breach.
    expect(verdict(Array.from({ length: 9 }, () => callerFailure()))).toMatchObject({
      status: 'no-data',
      n: 0,
      callerFailures: 9,
    });
    // The platform's failures still breach next to them, and the window reaches past the caller's.
    const mixed = [
      ...Array.from({ length: 50 }, () => callerFailure()),
      ...Array.from({ length: 6 }, () => failure()),
      ...Array.from({ length: 94 }, () => fast()),
    ];
    expect(verdict(mixed)).toMatchObject({
      status: 'breached',
      reason: 'failures',
      n: 100,
      failures: 6,
      callerFailures: 50,
    });
  });

  it('counts cancellations and caller failures apart, each left out', () => {
    const samples = [cancelled(), callerFailure(), callerFailure(), fast(), cancelled(), fast()];
    expect(tallySla(samples, { slaLimitMs: LIMIT })).toMatchObject({
      n: 2,
      cancelled: 2,
      callerFailures: 2,
      failures: 0,
    });
    // Only those newer than the oldest judged sample count when the window is full.
    expect(tallySla([...samples, callerFailure()], { slaLimitMs: LIMIT, window: 1 })).toMatchObject({
      n: 1,
      cancelled: 1,
      callerFailures: 2,
    });
  });

  it('judges the newest 100 valid samples and counts only the cancelled ones among them', () => {
    // Newest first: 10 cancelled interleaved with the newest 100 valid, then 20 old failures and 5 old cancelled.
    const samples: SlaSample[] = [];
    for (let i = 0; i < 100; i++) {
      samples.push(fast(100 + i));
      if (i % 10 === 0) samples.push(cancelled());
    }
    samples.push(
      ...Array.from({ length: 20 }, () => failure()),
      ...Array.from({ length: 5 }, () => cancelled()),
    );
    const v = verdict(samples);
    expect(v).toMatchObject({ status: 'met', n: SLA_WINDOW, failures: 0, cancelled: 10, p95Ms: 194 });
    expect(tallySla(samples, { slaLimitMs: LIMIT, window: 10 })).toMatchObject({ n: 10, cancelled: 1 });
  });

  it('judges each provisioning by its own stored limit', () => {
    // 10 rows over an old 100 ms limit, 90 well within today's: 10 breaches by their own limit.
    const samples = [
      ...Array.from({ length: 90 }, () => fast(50)),
      ...Array.from({ length: 10 }, () => ({ durationMs: 200, slaLimitMs: 100, failed: false })),
    ];
    expect(verdict(samples)).toMatchObject({ status: 'breached', reason: 'latency', breaches: 10 });
  });

  it('with one limit, agrees with "nearest-rank P95, failures as +Infinity, exceeds the limit" on random windows', () => {
    const random = mulberry32(11);
    for (let round = 0; round < 2_000; round++) {
      const n = 1 + Math.floor(random() * 120);
      const failRate = random() * 0.2;
      const samples = Array.from({ length: n }, () =>
        random() < failRate ? failure(random() * 10) : fast(Math.exp(random() * 11)),
      );
      const judged = samples.slice(0, SLA_WINDOW);
      const p95 = quantile(
        judged.map((s) => (s.failed ? Number.POSITIVE_INFINITY : s.durationMs)),
        0.95,
      ) as number;
      const v = verdict(samples);
      expect(v.p95Ms).toBe(p95);
      expect(v.status).toBe(p95 > LIMIT ? 'breached' : 'met');
      if (v.status === 'breached')
        expect(v.reason).toBe(p95 === Number.POSITIVE_INFINITY ? 'failures' : 'latency');
    }
  });

  it('judges a tally the same way (the store computes all-time tallies from rollups)', () => {
    expect(
      judgeSla({
        n: 1_000,
        breaches: 50,
        failures: 50,
        cancelled: 3,
        callerFailures: 0,
        p95Ms: 900,
        slaLimitMs: LIMIT,
      }),
    ).toMatchObject({ status: 'met', allowedBreaches: 50 });
    expect(
      judgeSla({
        n: 1_000,
        breaches: 51,
        failures: 20,
        cancelled: 0,
        callerFailures: 0,
        p95Ms: 31_000,
        slaLimitMs: LIMIT,
      }),
    ).toMatchObject({ status: 'breached', reason: 'latency' });
    expect(
      judgeSla({
        n: 1,
        breaches: 1,
        failures: 1,
        cancelled: 0,
        callerFailures: 0,
        p95Ms: Infinity,
        slaLimitMs: LIMIT,
      }).reason,
    ).toBe('failures');
  });

  it('refuses an impossible tally or window', () => {
    const ok = {
      n: 10,
      breaches: 2,
      failures: 1,
      cancelled: 0,
      callerFailures: 0,
      p95Ms: 1,
      slaLimitMs: LIMIT,
    };
    for (const bad of [
      { n: -1 },
      { breaches: 11 },
      { failures: 3 },
      { cancelled: 0.5 },
      { callerFailures: -1 },
      { n: Number.NaN },
    ]) {
      expect(() => judgeSla({ ...ok, ...bad })).toThrow(TimingError);
    }
    expect(() => tallySla([], { slaLimitMs: LIMIT, window: 0 })).toThrow(/window must be a positive integer/);
  });
});
