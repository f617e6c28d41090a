import { nearestRankIndex, quantile, quantileSorted } from '@sbx/timing';
import { describe, expect, it } from 'vitest';

describe('nearest-rank quantile', () => {
  it('takes index ceil(q * n) - 1 of the sorted values', () => {
    expect(quantile([150, 50, 100], 0.95)).toBe(150);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([7], 0.99)).toBe(7);
  });

  it('matches the old floor(100 * 0.95) - 1 index for 100 values', () => {
    expect(nearestRankIndex(100, 0.95)).toBe(94);
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.95)).toBe(95);
  });

  it('has no floating-point off-by-one where q * n is an integer', () => {
    // In floating point 0.07 * 100 is 7.000000000000001, so a naive ceil would pick the 8th value.
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(nearestRankIndex(100, 0.07)).toBe(6);
    expect(nearestRankIndex(60, 0.95)).toBe(56);
    expect(nearestRankIndex(20, 0.95)).toBe(18);
    expect(nearestRankIndex(1000, 0.99)).toBe(989);
    expect(nearestRankIndex(3, 0.5)).toBe(1);
  });

  it('agrees with an exact integer definition for every whole percent and n up to 2000', () => {
    // 200,000 cases: collected and compared once (an expect per case took seconds on a loaded machine).
    const wrong: string[] = [];
    for (let pct = 1; pct <= 100; pct++) {
      for (let n = 1; n <= 2000; n++) {
        const exact = Math.ceil((pct * n) / 100) - 1; // integers only: exact
        const got = nearestRankIndex(n, pct / 100);
        if (got !== exact) wrong.push(`p${pct} n=${n}: ${got}, exact ${exact}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('does not reorder its input and gives undefined for no values', () => {
    const values = [3, 1, 2];
    expect(quantile(values, 1)).toBe(3);
    expect(values).toEqual([3, 1, 2]);
    expect(quantile([], 0.95)).toBeUndefined();
    expect(quantileSorted([], 0.5)).toBeUndefined();
  });

  it('rejects a quantile outside (0, 1] and a count below 1', () => {
    expect(() => nearestRankIndex(10, 0)).toThrow(RangeError);
    expect(() => nearestRankIndex(10, 1.5)).toThrow(/q must be in/);
    expect(() => nearestRankIndex(0, 0.5)).toThrow(/count must be a positive integer/);
    expect(() => nearestRankIndex(2.5, 0.5)).toThrow(RangeError);
  });
});
