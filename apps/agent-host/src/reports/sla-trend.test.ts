import type { SlaWindowRow } from '@sbx/store';
import { slaVerdict } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../test-support/seeded-random.js';
import { slaTrend } from './sla-trend.js';

describe('slaTrend', () => {
  it('gives at each provisioning exactly what slaVerdict says of the window ending there', () => {
    const random = mulberry32(4);
    for (const length of [0, 1, 7, 99, 100, 101, 150, 199]) {
      const rows: SlaWindowRow[] = Array.from({ length }, (_, i) => ({
        timestamp: new Date(1_000_000 - i * 1_000),
        durationMs: Math.round(Math.exp(random() * 12)) / 10, // ties included
        slaLimitMs: random() < 0.1 ? 50 : 30_000,
        failed: random() < 0.06,
        status: 'ok',
      }));
      const trend = slaTrend(rows, 30_000);
      expect(trend).toHaveLength(Math.min(100, length));
      trend.forEach((point, i) => {
        expect(point.timestamp).toEqual(rows[i]?.timestamp);
        expect(point.p95Ms, `length ${length}, point ${i}`).toBe(
          slaVerdict(rows.slice(i, i + 100), { slaLimitMs: 30_000 }).p95Ms,
        );
      });
    }
  });
});
