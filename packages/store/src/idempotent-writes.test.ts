import {
  SandboxAlertRepository,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
  type SbxDatabase,
} from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

// A spooled result may be written twice (its first write committed but the answer was lost): the row's id or
// key makes the replay a no-op, on both engines, rollups included.

const result: ProvisionResult = {
  sandboxType: 'docker',
  durationMs: 900,
  status: 'ok',
  timestamp: new Date('2026-12-07T10:00:00.000Z'),
  phases: [
    { name: 'create', startMs: 0, durationMs: 400 },
    { name: 'ready', startMs: 400, durationMs: 500 },
  ],
};

describe.each(TEST_DIALECTS)('replayed writes on %s', (dialect) => {
  let db: Kysely<SbxDatabase>;
  beforeEach(async () => {
    db = await openTestDatabase(dialect);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('stores a provisioning recorded twice under one id once, phases and rollups included', async () => {
    const kpis = new SandboxProvisioningKPI(db);
    await kpis.record(result, { id: 'spool-1' });
    await kpis.record(result, { id: 'spool-1' });
    await kpis.record({ ...result, durationMs: 950 }, { id: 'spool-1' });
    await kpis.record(result, { id: 'spool-2' });
    const rows = await kpis.listRecent();
    expect(rows.map((r) => r.id).sort()).toEqual(['spool-1', 'spool-2']);
    expect(rows.find((r) => r.id === 'spool-1')).toMatchObject({ durationMs: 900, phases: result.phases });
    expect(await kpis.count('docker')).toBe(2);
    expect((await kpis.getStats('docker', { window: 'all' })).n).toBe(2);
  });

  it('refuses an id that is not a short non-empty string', async () => {
    const kpis = new SandboxProvisioningKPI(db);
    for (const id of ['', 'x'.repeat(65), 7 as unknown as string]) {
      await expect(kpis.record(result, { id })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'id' });
    }
    expect(await kpis.count()).toBe(0);
  });

  it('stores a perf record and an alert written twice under one key once; keyless ones every time', async () => {
    const perf = new SandboxPerfRecordRepository(db);
    const record = {
      sandboxId: 'sb',
      startTime: 1,
      durationMs: 5,
      outcome: 'success',
      alertFired: false,
    } as const;
    await perf.insert('sandbox_perf_records', record, { key: 'k1' });
    await perf.insert('sandbox_perf_records', record, { key: 'k1' });
    await perf.insert('sandbox_perf_records', record);
    await perf.insert('sandbox_perf_records', record);
    expect((await perf.getReport({ window: 'all' })).count).toBe(3);

    const alerts = new SandboxAlertRepository(db);
    const alert = { kind: 'sla-breach', valueMs: 2, thresholdMs: 1, message: 'm' } as const;
    const first = await alerts.insert(alert, { key: 'a1' });
    const again = await alerts.insert(alert, { key: 'a1' });
    expect(Number(again.id)).toBe(Number(first.id));
    await alerts.insert(alert);
    expect(await alerts.listRecent()).toHaveLength(2);
  });
});
