import { describe, expect, it } from 'vitest';
import { leaderboardStats, median, percentile, ttiStats } from './tti-stats.js';
import type { TtiSample } from './tti-types.js';

const ok = (ttiMs: number): TtiSample => ({ atMs: 0, ttiMs, ok: true });

describe('the leaderboard figures', () => {
  it('trims floor(5 %) off each end, then takes the median, nearest-rank p95/p99 and the mean of the rest', () => {
    // 1..100 in a shuffled order: 5 dropped from each end leaves 6..95.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    const lb = leaderboardStats(values, 1);
    expect(lb.kept).toBe(90);
    expect(lb.medianMs).toBe(50.5);
    expect(lb.p95Ms).toBe(91); // rank ceil(0.95 x 90) = 86 of 6..95
    expect(lb.p99Ms).toBe(95); // rank ceil(0.99 x 90) = 90
    expect(lb.trimmedMeanMs).toBe(50.5);
    // (0.60 x 99.495 + 0.25 x 99.09 + 0.15 x 99.05) x 1
    expect(lb.score).toBe(99.33);
  });

  it('an outlier moves the plain mean and max, not the trimmed figures', () => {
    const base = Array.from({ length: 40 }, () => 100);
    const spiky = [...base.slice(2), 1, 60_000];
    const plain = ttiStats({ samples: spiky.map(ok), wallMs: 1_000 });
    expect(plain.maxMs).toBe(60_000);
    expect(plain.meanMs).toBeGreaterThan(1_000);
    expect(plain.leaderboard.trimmedMeanMs).toBe(100);
    expect(plain.leaderboard.p99Ms).toBe(100);
  });

  it('keeps everything when the trim would take nothing (under 20) and scores 0 at or past 10 s', () => {
    expect(leaderboardStats([5, 1, 3], 1)).toMatchObject({ kept: 3, medianMs: 3, p95Ms: 5, p99Ms: 5 });
    expect(leaderboardStats([10_000, 12_000, 20_000], 1).score).toBe(0);
    expect(leaderboardStats([], 0)).toMatchObject({ kept: 0, medianMs: undefined, score: undefined });
  });

  it('counts failures against success and the score, never in the times', () => {
    const samples = [ok(200), ok(200), { atMs: 0, ttiMs: 5, ok: false, error: 'x' }, ok(200)];
    const s = ttiStats({ samples, wallMs: 2_000 });
    expect(s).toMatchObject({ n: 4, ok: 3, successPct: 75, minMs: 200, medianMs: 200 });
    // 98 x 0.75
    expect(s.leaderboard.score).toBe(73.5);
    expect(s.throughputPerS).toBe(1.5);
  });

  it('splits the median into the create call and the rest where the create call was timed', () => {
    const samples = [10, 20, 30].map((c) => ({ atMs: 0, ttiMs: c + 100, createMs: c, ok: true }));
    const s = ttiStats({ samples: [...samples, ok(5)], wallMs: 1_000 });
    expect(s).toMatchObject({ createMedianMs: 20, execMedianMs: 100 });
    expect(ttiStats({ samples: [ok(5)], wallMs: 1 }).createMedianMs).toBeUndefined();
  });

  it('median and percentile as the leaderboard defines them', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([1, 2, 3])).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([], 95)).toBeUndefined();
  });
});
