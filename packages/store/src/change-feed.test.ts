import { ChangeFeed, openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import { describe, expect, it } from 'vitest';

describe('ChangeFeed', () => {
  it('hands out each committed row once, in order, from a cursor', async () => {
    const db = await openDatabase(':memory:');
    const kpis = new SandboxProvisioningKPI(db);
    const perf = new SandboxPerfRecordRepository(db);
    const feed = new ChangeFeed(db);
    const timestamp = new Date('2026-11-22T10:00:00Z');
    await kpis.recordMany([
      { sandboxType: 'docker', durationMs: 120, status: 'ok', timestamp },
      { sandboxType: 'webcontainer', durationMs: 11_000, status: 'sla_breach', timestamp },
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
    const runs = await feed.perfRecordsSince(0);
    expect(runs.map((r) => [r.durationMs, r.outcome, r.alertFired])).toEqual([
      [10, 'success', false],
      [9_000, 'timeout', true],
    ]);
    expect(await feed.perfRecordsSince(runs[1]?.seq ?? 0)).toEqual([]);
    await expect(feed.provisionsSince(0, 0)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'limit' });
    await db.destroy();
  });
});
