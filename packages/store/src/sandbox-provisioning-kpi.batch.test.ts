import { SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { MAX_ROWS_PER_STATEMENT } from './postgres-batch-insert.js';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  describe('recordMany in large batches', () => {
    it('stores a batch bigger than one statement carries, all of it, its rollups exact', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      const n = MAX_ROWS_PER_STATEMENT + 7;
      const results: ProvisionResult[] = Array.from({ length: n }, (_, i) => ({
        sandboxType: 'docker',
        durationMs: i,
        status: 'ok',
        timestamp: new Date(T0 + i),
        phases: i % 2 === 0 ? [{ name: 'create', startMs: 0, durationMs: 1 }] : [],
      }));
      await kpis.recordMany(results);
      const all = await kpis.getStats('docker', { window: 'all' });
      expect([all.n, all.maxMs, await kpis.count()]).toEqual([n, n - 1, n]);
      const [phase] = await kpis.getPhaseBreakdown('docker', { window: 10 });
      expect(phase?.count).toBe(5);
      await db.destroy();
    });

    it('keeps text that looks like array syntax or NULL as it was given', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      const names = ['NULL', '{a,b}', '"', '\\', 'a, b', ' ', 'null'];
      await kpis.recordMany(
        names.map((name, i) => ({
          sandboxType: 'docker',
          durationMs: i,
          status: 'ok',
          timestamp: new Date(T0 + i),
          attributes: { hostId: name, runtime: name, network: name },
          phases: [{ name, startMs: 0, durationMs: 1 }],
        })),
      );
      const rows = (await kpis.listRecent({ limit: 100 })).reverse();
      expect(rows.map((r) => [r.hostId, r.runtime, r.network, r.phases[0]?.name])).toEqual(
        names.map((name) => [name, name, name, name]),
      );
      await db.destroy();
    });
  });
});
