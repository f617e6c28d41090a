// Quantiles are expressed in millionths so the rank is computed on integers: 0.07 * 100 is
// 7.000000000000001 in floating point, and Math.ceil of that would skip a rank.
const SCALE = 1_000_000;

/**
 * The zero-based index of the nearest-rank quantile `q` (0 < q <= 1) in a sorted list of `count` values:
 * `ceil(q * count) - 1`, computed exactly.
 */
export function nearestRankIndex(count: number, q: number): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`nearestRankIndex: count must be a positive integer, got ${count}`);
  }
  if (!(q > 0 && q <= 1)) {
    throw new RangeError(`nearestRankIndex: q must be in (0, 1], got ${q}`);
  }
  const scaledQ = Math.round(q * SCALE);
  const rank = Math.ceil((scaledQ * count) / SCALE);
  return Math.min(Math.max(rank, 1), count) - 1;
}

/** The nearest-rank quantile `q` of values already sorted ascending; `undefined` for an empty list. */
export function quantileSorted(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[nearestRankIndex(sorted.length, q)];
}

/** The nearest-rank quantile `q` of `values` (any order; not modified); `undefined` for an empty list. */
export function quantile(values: readonly number[], q: number): number | undefined {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    q,
  );
}
