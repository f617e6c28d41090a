import { openDatabase, SandboxAlertRepository } from '@sbx/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import { AlertService } from './alert-service.js';
import type { WebhookNotifier } from './webhook-notifier.js';

describe('alerts from the sandbox host', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['performance', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('keeps SLA breaches, failures and overhead alerts as rows and posts each to the notifier', async () => {
    const notify = vi.fn(async (_notice: unknown) => 'sent' as const);
    const logger = { warn: vi.fn(), error: vi.fn() };
    const sandbox = {
      id: 'box',
      type: 'docker' as const,
      exec: async () => {
        vi.advanceTimersByTime(120);
        return { exitCode: 0, stdout: '', stderr: '' };
      },
      dispose: async () => {},
      [Symbol.asyncDispose]: async () => {},
    };
    let slow = true;
    const t = await createTestHost({
      logger,
      config: { alertThresholdMs: 100 },
      seams: { notifier: { notify } as unknown as WebhookNotifier },
      adapters: {
        docker: {
          type: 'docker',
          provision: async () => {
            if (slow) vi.advanceTimersByTime(30_001);
            else throw new Error('start failed');
            return sandbox;
          },
        },
      },
    });
    const { host, alerts: repo, alertService: alerts } = t;

    await host.provision('docker', { image: 'img' });
    slow = false;
    await expect(host.provision('docker', { image: 'img' })).rejects.toThrow('start failed');
    await host.runJob(sandbox, 'sleep');
    await vi.waitFor(async () => expect(await repo.count()).toBe(3));
    await alerts.flush();

    const rows = await repo.listRecent();
    expect(rows.map((r) => [r.kind, r.sandboxType, r.sandboxId, r.thresholdMs])).toEqual([
      ['overhead-alert', undefined, 'box', 100],
      ['sla-breach', 'docker', undefined, 30_000],
      ['sla-breach', 'docker', undefined, 30_000],
    ]);
    expect(rows[2]?.message).toBe('sla-breach: docker provisioning took 30001 ms (limit 30000 ms)');
    expect(rows[1]?.message).toBe('sla-breach: docker provisioning failed: Error (limit 30000 ms)');
    expect(rows[0]?.valueMs).toBe(120);
    expect(notify).toHaveBeenCalledTimes(3);
    expect(notify.mock.calls[0]?.[0]).toMatchObject({
      kind: 'sla-breach',
      id: 1,
      createdAt: expect.any(String),
    });
    await t.close();
  });

  it('a failing alert store is logged, never thrown into the host', async () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    const repo = {
      insert: vi.fn().mockRejectedValue(new Error('disk full')),
    } as unknown as SandboxAlertRepository;
    await new AlertService({ repo, logger }).raise({
      kind: 'sla-breach',
      valueMs: 1,
      thresholdMs: 1,
      message: 'x',
    });
    expect(logger.error).toHaveBeenCalledWith(
      'could not keep an alert',
      expect.objectContaining({ kind: 'sla-breach' }),
    );
  });

  it('stamps the host that raised each alert on its row, so a fleet’s alerts say which host', async () => {
    const db = await openDatabase(':memory:');
    const repo = new SandboxAlertRepository(db);
    const logger = { warn: vi.fn(), error: vi.fn() };
    const alerts = new AlertService({ repo, logger, hostId: 'host-a' });
    const alert = { kind: 'sla-breach' as const, sandboxType: 'docker' as const, valueMs: 31_000 };
    await alerts.raise({ ...alert, thresholdMs: 30_000, message: 'slow' });
    await alerts.raise({ ...alert, thresholdMs: 30_000, message: 'relayed', hostId: 'host-b' });
    await new AlertService({ repo, logger }).raise({ ...alert, thresholdMs: 30_000, message: 'nobody' });
    expect((await repo.listRecent()).map((r) => [r.message, r.hostId])).toEqual([
      ['nobody', undefined],
      ['relayed', 'host-b'],
      ['slow', 'host-a'],
    ]);
    expect(logger.error).not.toHaveBeenCalled();
    await db.destroy();
  });
});
