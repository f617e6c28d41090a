import { SandboxProvisioningKPI, type SbxDatabase } from '@sbx/store';
import { type ProvisionResult, SandboxProvisioner, type SandboxType } from '@sbx/timing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const BASE = Date.parse('2026-11-01T00:00:00.000Z');
const LIMIT = { docker: 30_000, webcontainer: 10_000 } as const;

/** A provisioning of `type` that took `durationMs` and started `second` seconds after BASE. */
function row(type: SandboxType, durationMs: number, second: number, error?: string): ProvisionResult {
  return {
    sandboxType: type,
    durationMs,
    status: error || durationMs > LIMIT[type] ? 'sla_breach' : 'ok',
    timestamp: new Date(BASE + second * 1_000),
    slaLimitMs: LIMIT[type],
    ...(error ? { error: { name: 'BootstrapError', message: error, code: error } } : {}),
  };
}
const fast = (second: number) => row('docker', 150, second);
const failed = (second: number) => row('docker', 3, second, 'START_FAILED');
const cancelled = (second: number) => row('docker', 800, second, 'CANCELLED');

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  let db: Kysely<SbxDatabase>;
  let kpis: SandboxProvisioningKPI;
  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    kpis = new SandboxProvisioningKPI(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('the SLA verdict over stored provisionings', () => {
    it('5 failed provisionings of 5 breach the SLA because of failures (the old report said met)', async () => {
      await kpis.recordMany(Array.from({ length: 5 }, (_, i) => failed(i)));
      // The raw P95 of the newest 100 rows is still the few ms they took to fail...
      expect(await kpis.getP95Latency('docker')).toBe(3);
      // ...but a provisioning that never became ready is above any limit.
      const verdict = await kpis.getSlaVerdict('docker');
      expect(verdict).toMatchObject({ status: 'breached', reason: 'failures', n: 5, failures: 5 });
      expect(verdict.p95Ms).toBe(Number.POSITIVE_INFINITY);
      expect(await kpis.getStats('docker')).toMatchObject({
        successRate: 0,
        slaMet: false,
        p95Ms: undefined,
      });
    });

    it('4 failures among the newest 100 meet the SLA; 6 breach it', async () => {
      await kpis.recordMany(Array.from({ length: 96 }, (_, i) => fast(i)));
      await kpis.recordMany(Array.from({ length: 4 }, (_, i) => failed(100 + i)));
      expect(await kpis.getSlaVerdict('docker')).toMatchObject({
        status: 'met',
        n: 100,
        failures: 4,
        p95Ms: 150,
      });
      await kpis.recordMany(Array.from({ length: 2 }, (_, i) => failed(200 + i)));
      expect(await kpis.getSlaVerdict('docker')).toMatchObject({
        status: 'breached',
        reason: 'failures',
        failures: 6,
      });
    });

    it('leaves cancelled provisionings out and counts those in the window span on their own', async () => {
      await kpis.recordMany(Array.from({ length: 30 }, (_, i) => cancelled(i))); // older than the window
      await kpis.recordMany(Array.from({ length: 100 }, (_, i) => fast(1_000 + 2 * i)));
      await kpis.recordMany(Array.from({ length: 7 }, (_, i) => cancelled(1_001 + 2 * i))); // inside its span
      await kpis.recordMany(Array.from({ length: 20 }, (_, i) => cancelled(5_000 + i))); // newer than all
      const stats = await kpis.getStats('docker');
      expect(stats).toMatchObject({ n: 100, failures: 0, cancelled: 27, slaBreaches: 0, slaMet: true });
      expect(stats.verdict).toMatchObject({ status: 'met', n: 100, cancelled: 27 });
      // With fewer than 100 valid ones, the window spans all time: every cancelled one counts.
      expect(await kpis.getStats('docker', { window: 200 })).toMatchObject({ n: 100, cancelled: 57 });
      expect(await kpis.getStats('docker', { window: 'all' })).toMatchObject({ n: 100, cancelled: 57 });
      expect((await kpis.listSlaWindow('docker')).every((r) => r.error?.code !== 'CANCELLED')).toBe(true);
      expect(await kpis.count('docker')).toBe(157);
    });

    it('stores a provisioning its caller aborted as cancelled, and judges without it', async () => {
      const provisioner = new SandboxProvisioner({ recorder: kpis });
      await provisioner.provision({ type: 'webcontainer', bootstrapFn: () => 'ready' });
      const caller = new AbortController();
      const pending = provisioner.provision({
        type: 'webcontainer',
        signal: caller.signal,
        bootstrapFn: (ctx) =>
          new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
          ),
      });
      caller.abort(new Error('interrupted by SIGINT'));
      await expect(pending).rejects.toThrow('aborted');
      const [newest] = await kpis.listRecent({ type: 'webcontainer' });
      expect(newest).toMatchObject({
        status: 'sla_breach',
        error: { message: 'aborted', code: 'CANCELLED' },
      });
      expect(await kpis.getSlaVerdict('webcontainer')).toMatchObject({ status: 'met', n: 1, cancelled: 1 });
    });

    it('judges each row by the limit stored with it, not by today’s limit', async () => {
      // Recorded under a 100 ms limit: 200 ms was a breach then, whatever SLA_LIMITS says now.
      await kpis.recordMany(
        Array.from({ length: 10 }, (_, i) => ({
          ...fast(i),
          durationMs: 200,
          slaLimitMs: 100,
          status: 'sla_breach' as const,
        })),
      );
      const stats = await kpis.getStats('docker');
      expect(stats).toMatchObject({ slaLimitMs: 30_000, slaBreaches: 10, p95Ms: 200 });
      expect(stats.verdict).toMatchObject({ status: 'breached', reason: 'latency' });
      expect((await kpis.getStats('docker', { window: 'all' })).verdict).toMatchObject({
        status: 'breached',
      });
    });

    it('lists the window newest first, with errors, and refuses a bad size', async () => {
      await kpis.recordMany([fast(0), failed(1), cancelled(2)]);
      const rows = await kpis.listSlaWindow('docker', { size: 5 });
      expect(rows.map((r) => [r.durationMs, r.failed, r.error?.code])).toEqual([
        [3, true, 'START_FAILED'],
        [150, false, undefined],
      ]);
      expect(rows[0]).toMatchObject({
        slaLimitMs: 30_000,
        status: 'sla_breach',
        timestamp: new Date(BASE + 1_000),
      });
      await expect(kpis.listSlaWindow('docker', { size: 0 })).rejects.toMatchObject({ field: 'size' });
      await expect(kpis.getSlaVerdict('docker', { window: 2.5 })).rejects.toMatchObject({ field: 'window' });
    });

    it('gives a new data version after every write, and the same one while nothing changes', async () => {
      const first = await kpis.dataVersion();
      expect(await kpis.dataVersion()).toBe(first);
      await kpis.record(fast(0));
      const second = await kpis.dataVersion();
      expect(second).not.toBe(first);
      await kpis.getStats('docker');
      expect(await kpis.dataVersion()).toBe(second);
    });
  });
});
