import { SandboxAlertRepository, StoreError } from '@sbx/store';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  describe('SandboxAlertRepository', () => {
    let db: Kysely<never>;
    let alerts: SandboxAlertRepository;
    const at = new Date('2026-11-22T10:00:00.000Z');
    beforeEach(async () => {
      db = (await openTestDatabase(dialect)) as unknown as Kysely<never>;
      alerts = new SandboxAlertRepository(db as never, { wallClock: { now: () => at } });
    });
    afterEach(() => db.destroy());

    it('stores alerts and lists them newest first, optionally by kind', async () => {
      const first = await alerts.insert({
        kind: 'overhead-alert',
        sandboxId: 'sb-1',
        valueMs: 7_200,
        thresholdMs: 5_000,
        message: "run took 7200 ms; it's slow",
      });
      await alerts.insert({
        kind: 'sla-breach',
        sandboxType: 'docker',
        valueMs: 31_000,
        thresholdMs: 30_000,
        message: 'slow provision',
      });
      expect(first).toMatchObject({ id: 1, createdAt: at });
      const all = await alerts.listRecent();
      expect(all.map((a) => a.kind)).toEqual(['sla-breach', 'overhead-alert']);
      expect(all[1]).toEqual({
        id: 1,
        kind: 'overhead-alert',
        sandboxType: undefined,
        sandboxId: 'sb-1',
        valueMs: 7_200,
        thresholdMs: 5_000,
        message: "run took 7200 ms; it's slow",
        createdAt: at,
      });
      expect((await alerts.listRecent(10, 'sla-breach')).map((a) => a.sandboxType)).toEqual(['docker']);
      expect(await alerts.count()).toBe(2);
      expect(await alerts.count('overhead-alert')).toBe(1);
    });

    it.each([
      [{ kind: 'meh' }, 'kind'],
      [{ valueMs: -1 }, 'valueMs'],
      [{ thresholdMs: Number.NaN }, 'thresholdMs'],
      [{ sandboxType: 'vm' }, 'sandboxType'],
      [{ message: '' }, 'message'],
    ])('refuses %j naming the field, and writes nothing', async (patch, field) => {
      const good = { kind: 'overhead-alert', valueMs: 1, thresholdMs: 1, message: 'x' };
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
      const error = await alerts.insert({ ...good, ...patch } as any).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field });
      expect(await alerts.count()).toBe(0);
    });
  });
});
