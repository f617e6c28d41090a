// A logarithmic sketch (the DDSketch mapping): bucket i holds durations in (gamma^(i-1), gamma^i] and answers
// 2 gamma^i / (gamma + 1), which is within SKETCH_RELATIVE_ERROR of every duration in the bucket. The migration
// that created the triggers froze the same constants in SQL.

/** Relative error of a quantile read from the sketch, for durations of at least 0.001 ms (1 µs). */
export const SKETCH_RELATIVE_ERROR = 0.01;
const GAMMA = (1 + SKETCH_RELATIVE_ERROR) / (1 - SKETCH_RELATIVE_ERROR);
const LN_GAMMA = Math.log(GAMMA);
/** The one bucket for durations under 1 µs; it answers 0. */
export const BELOW_MICROSECOND_BUCKET = -1_000_000;

/** The sketch bucket of a duration in milliseconds (the JavaScript twin of the trigger's SQL). */
export function latencyBucket(durationMs: number): number {
  // `+ 0` turns the -0 that Math.ceil gives for (-1, 0) into the 0 SQLite gives.
  return durationMs < 0.001 ? BELOW_MICROSECOND_BUCKET : Math.ceil(Math.log(durationMs) / LN_GAMMA) + 0;
}

/** The duration a bucket answers for. */
export function bucketValue(bucket: number): number {
  return bucket === BELOW_MICROSECOND_BUCKET ? 0 : (2 * GAMMA ** bucket) / (GAMMA + 1);
}

/** Bucket counts of one sketch, in ascending bucket order. */
export type SketchBuckets = readonly { bucket: number; count: number }[];

/** The duration at 0-based `rank` in ascending order; `undefined` past the end. */
export function sketchValueAt(buckets: SketchBuckets, rank: number): number | undefined {
  let seen = 0;
  for (const { bucket, count } of buckets) {
    seen += count;
    if (rank < seen) return bucketValue(bucket);
  }
  return undefined;
}
