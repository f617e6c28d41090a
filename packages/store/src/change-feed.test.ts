import {
  ChangeFeed,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
  type SbxDatabase,
} from '@sbx/store';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  feedSettled,
  openSharedTestDatabases,
  openTestDatabase,
  TEST_DIALECTS,
} from './test-databases.test-support.js';

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  describe('ChangeFeed', () => {
    it('hands out each committed row once, in order, from a cursor', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      const perf = new SandboxPerfRecordRepository(db);
      const feed = new ChangeFeed(db);
      const timestamp = new Date('2026-11-22T10:00:00Z');
      await kpis.recordMany([
        { sandboxType: 'docker', durationMs: 120, status: 'ok', timestamp },
        { sandboxType: 'webcontainer', durationMs: 11_000, status: 'sla_breach', timestamp },
      ]);
      // A second transaction: on PostgreSQL a transaction's rows share one cursor value and come together.
      await kpis.recordMany([
        {
          sandboxType: 'docker',
          durationMs: 5,
          status: 'sla_breach',
          timestamp,
          error: { name: 'E', message: 'x' },
          phases: [
            { name: 'image', startMs: 0, durationMs: 1 },
            { name: 'create', startMs: 1, durationMs: 4 },
          ],
        },
        {
          sandboxType: 'docker',
          durationMs: 700,
          status: 'sla_breach',
          timestamp,
          slaLimitMs: 500,
          error: { name: 'BootstrapError', message: 'aborted', code: 'CANCELLED' },
        },
      ]);
      await feedSettled(db, dialect);
      const first = await feed.provisionsSince(0, 2);
      expect(first.map((c) => [c.sandboxType, c.durationMs, c.status, c.failed])).toEqual([
        ['docker', 120, 'ok', false],
        ['webcontainer', 11_000, 'sla_breach', false],
      ]);
      const rest = await feed.provisionsSince(first.at(-1)?.seq ?? 0);
      expect(rest.map((c) => [c.failed, c.cancelled, c.slaLimitMs, c.phases])).toEqual([
        [
          true,
          false,
          30_000,
          [
            { name: 'image', durationMs: 1 },
            { name: 'create', durationMs: 4 },
          ],
        ],
        [false, true, 500, []],
      ]);
      expect(await feed.provisionsSince(rest.at(-1)?.seq ?? 0)).toEqual([]);

      await perf.insert('sandbox_perf_records', {
        sandboxId: 'a',
        startTime: 1,
        durationMs: 10.4,
        outcome: 'success',
        alertFired: false,
      });
      await perf.insert('sandbox_perf_records', {
        sandboxId: 'b',
        startTime: 2,
        durationMs: 9_000,
        outcome: 'timeout',
        alertFired: true,
      });
      await feedSettled(db, dialect);
      const runs = await feed.perfRecordsSince(0);
      expect(runs.map((r) => [r.durationMs, r.outcome, r.alertFired])).toEqual([
        [10, 'success', false],
        [9_000, 'timeout', true],
      ]);
      expect(await feed.perfRecordsSince(runs[1]?.seq ?? 0)).toEqual([]);
      await expect(feed.provisionsSince(0, 0)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'limit',
      });
      await db.destroy();
    });

    it('gives each host its own rows when made for one host', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      const timestamp = new Date('2026-11-22T10:00:00Z');
      const result = (durationMs: number, hostId: string) => ({
        sandboxType: 'docker' as const,
        durationMs,
        status: 'ok' as const,
        timestamp,
        attributes: { hostId },
      });
      await kpis.recordMany([result(1, 'a'), result(2, 'b'), result(3, 'a')]);
      await new SandboxPerfRecordRepository(db, { hostId: 'b' }).insert('sandbox_perf_records', {
        sandboxId: 's',
        startTime: 1,
        durationMs: 7,
        outcome: 'success',
        alertFired: false,
      });
      await feedSettled(db, dialect);
      const a = new ChangeFeed(db, { hostId: 'a' });
      const b = new ChangeFeed(db, { hostId: 'b' });
      expect((await a.provisionsSince(0)).map((c) => c.durationMs)).toEqual([1, 3]);
      expect((await b.provisionsSince(0)).map((c) => c.durationMs)).toEqual([2]);
      expect(await a.perfRecordsSince(0)).toEqual([]);
      expect((await b.perfRecordsSince(0)).map((r) => r.durationMs)).toEqual([7]);
      expect((await new ChangeFeed(db).provisionsSince(0)).map((c) => c.durationMs)).toEqual([1, 2, 3]);
      await db.destroy();
    });

    it('gives each row its engine runtime and network, null for rows without them', async () => {
      const db = await openTestDatabase(dialect);
      const kpis = new SandboxProvisioningKPI(db);
      const timestamp = new Date('2026-11-22T10:00:00Z');
      await kpis.recordMany([
        {
          sandboxType: 'docker',
          durationMs: 400,
          status: 'ok',
          timestamp,
          attributes: { runtime: 'runsc', network: 'none' },
        },
        { sandboxType: 'docker', durationMs: 200, status: 'ok', timestamp, attributes: { runtime: 'runc' } },
        { sandboxType: 'webcontainer', durationMs: 900, status: 'ok', timestamp },
      ]);
      const feed = new ChangeFeed(db);
      // On PostgreSQL a row is handed out once every older transaction on the server ended (another test's may be open).
      await expect
        .poll(async () => (await feed.provisionsSince(0)).map((c) => [c.durationMs, c.runtime, c.network]))
        .toEqual([
          [400, 'runsc', 'none'],
          [200, 'runc', null],
          [900, null, null],
        ]);
      await db.destroy();
    });

    it('misses no row a slower transaction commits after a faster one (two connections)', async () => {
      const [db, second] = (await openSharedTestDatabases(dialect, 2)) as [
        Kysely<SbxDatabase>,
        Kysely<SbxDatabase>,
      ];
      const feed = new ChangeFeed(db);
      const timestamp = new Date('2026-11-22T10:00:00Z');
      const row = (durationMs: number) => ({
        sandboxType: 'docker' as const,
        durationMs,
        status: 'ok' as const,
        timestamp,
      });
      const seen: number[] = [];
      let cursor = 0;
      const drain = async () => {
        for (const change of await feed.provisionsSince(cursor)) {
          seen.push(change.durationMs);
          cursor = change.seq;
        }
      };
      if (dialect === 'postgres') {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let started!: () => void;
        const inserted = new Promise<void>((resolve) => {
          started = resolve;
        });
        // The slow transaction takes the lower id and the lower transaction id, and commits last.
        const slow = second.transaction().execute(async (trx) => {
          // Another type than the fast one: writers of one type queue on its rollup rows until commit.
          await new SandboxProvisioningKPI(trx).record({ ...row(1), sandboxType: 'webcontainer' });
          started();
          await gate;
        });
        await inserted;
        await new SandboxProvisioningKPI(db).record(row(2));
        await drain();
        expect(seen).toEqual([]);
        release();
        await slow;
      } else {
        // SQLite lets one writer in at a time, so commits cannot overtake each other: two connections in turn.
        await new SandboxProvisioningKPI(second).record(row(1));
        await new SandboxProvisioningKPI(db).record(row(2));
      }
      await drain();
      expect(seen.sort()).toEqual([1, 2]);
      await drain();
      expect(seen).toHaveLength(2);
      await second.destroy();
      await db.destroy();
    });
  });
});
