import { SandboxProvisioningKPI, SKETCH_RELATIVE_ERROR } from '@sbx/store';
import { nearestRankIndex, quantile } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test-support/seeded-random.js';
import { bucketValue, latencyBucket, type SketchBuckets, sketchValueAt } from './latency-sketch.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

function sketchOf(values: number[]) {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(latencyBucket(v), (counts.get(latencyBucket(v)) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([bucket, count]) => ({ bucket, count }));
}

/** The nearest-rank quantile `q` the sketch answers: the value at that rank, as rollupStats reads it. */
function sketchQuantile(buckets: SketchBuckets, q: number): number | undefined {
  const count = buckets.reduce((sum, b) => sum + b.count, 0);
  return count === 0 ? undefined : sketchValueAt(buckets, nearestRankIndex(count, q));
}

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  describe('the latency sketch', () => {
    it('answers every nearest-rank quantile within 1% of the exact value, from 1 µs to a day', () => {
      const random = mulberry32(17);
      for (let round = 0; round < 50; round++) {
        const values = Array.from(
          { length: 1 + Math.floor(random() * 2_000) },
          () => 0.001 * Math.exp(random() * Math.log(8.64e10)),
        );
        const buckets = sketchOf(values);
        for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
          const want = quantile(values, q) as number;
          const got = sketchQuantile(buckets, q) as number;
          expect(Math.abs(got / want - 1)).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR + 1e-12);
        }
      }
    });

    it('answers 0 below 1 µs and undefined when empty', () => {
      expect(sketchQuantile(sketchOf([0, 0.0004, 0]), 0.95)).toBe(0);
      expect(sketchQuantile([], 0.5)).toBeUndefined();
      expect(bucketValue(latencyBucket(1))).toBeCloseTo(1, 1);
    });

    it('puts a duration in the same bucket in SQL (the triggers) as in JavaScript', async () => {
      const db = await openTestDatabase(dialect);
      const random = mulberry32(3);
      const values = [
        0,
        0.0009,
        0.001,
        1,
        10_000,
        30_000,
        ...Array.from({ length: 500 }, () => Math.exp(random() * 20) / 1000),
      ];
      const timestamp = new Date('2026-11-22T10:00:00.000Z');
      await new SandboxProvisioningKPI(db).recordMany(
        values.map((durationMs) => ({
          sandboxType: 'docker' as const,
          durationMs,
          status: 'ok' as const,
          timestamp,
        })),
      );
      const rows = await db
        .selectFrom('sandbox_provisioning_latency_buckets')
        .select(['bucket', 'count'])
        .where('period', '=', '')
        .orderBy('bucket')
        .execute();
      expect(rows.map((r) => ({ bucket: r.bucket, count: Number(r.count) }))).toEqual(sketchOf(values));
      await db.destroy();
    });
  });
});
