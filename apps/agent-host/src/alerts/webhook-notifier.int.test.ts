import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertNotice } from './alert-notice.js';
import { WebhookNotifier } from './webhook-notifier.js';

/** A local webhook receiver that answers 503 to the first `failures` requests. */
async function receiver(failures: number) {
  const bodies: unknown[] = [];
  let calls = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      calls++;
      if (calls <= failures) {
        res.writeHead(503).end('busy');
        return;
      }
      bodies.push(JSON.parse(text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    calls: () => calls,
    close: () => new Promise((r) => server.close(r)),
  };
}

const notice = (over: Partial<AlertNotice> = {}): AlertNotice => ({
  kind: 'overhead-alert',
  sandboxId: 'sb-1',
  valueMs: 7_000,
  thresholdMs: 5_000,
  message: 'slow run',
  createdAt: '2026-11-22T10:00:00.000Z',
  ...over,
});

describe('WebhookNotifier against a local server', () => {
  const servers: { close: () => Promise<unknown> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('retries a server that fails twice and delivers on the third attempt', async () => {
    const hook = await receiver(2);
    servers.push(hook);
    const sleeps: number[] = [];
    const logger = { warn: vi.fn(), error: vi.fn() };
    const notifier = new WebhookNotifier({
      url: hook.url,
      logger,
      backoffMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await notifier.notify(notice())).toBe('sent');
    expect(hook.calls()).toBe(3);
    expect(sleeps).toEqual([100, 200]);
    expect(hook.bodies).toEqual([{ ...notice(), suppressedSinceLast: 0 }]);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('gives up after the last attempt and logs, without throwing', async () => {
    const hook = await receiver(10);
    servers.push(hook);
    const logger = { warn: vi.fn(), error: vi.fn() };
    const notifier = new WebhookNotifier({ url: hook.url, logger, attempts: 3, sleep: async () => {} });
    expect(await notifier.notify(notice())).toBe('failed');
    expect(hook.calls()).toBe(3);
    expect(logger.error).toHaveBeenCalledWith(
      'alert webhook failed after 3 attempt(s): HTTP 503',
      expect.anything(),
    );
  });

  it('sends one message for a storm, then reports how many it held back after the cooldown', async () => {
    const hook = await receiver(0);
    servers.push(hook);
    let now = 0;
    const notifier = new WebhookNotifier({
      url: hook.url,
      logger: { warn: vi.fn(), error: vi.fn() },
      cooldownMs: 60_000,
      clock: { now: () => now },
    });
    const outcomes = [];
    for (let i = 0; i < 50; i++) outcomes.push(await notifier.notify(notice({ sandboxId: `sb-${i}` })));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'suppressed')).toHaveLength(49);
    // Another kind has its own cooldown.
    expect(await notifier.notify(notice({ kind: 'sla-breach', sandboxType: 'docker' }))).toBe('sent');
    now = 60_000;
    expect(await notifier.notify(notice({ sandboxId: 'sb-late' }))).toBe('sent');
    expect(hook.bodies.map((b) => (b as { suppressedSinceLast: number }).suppressedSinceLast)).toEqual([
      0, 0, 49,
    ]);
  });

  it('does not retry a 4xx, and refuses a URL that is not http(s)', async () => {
    const fetch = vi.fn(async () => new Response('no', { status: 400 }));
    const notifier = new WebhookNotifier({
      url: 'http://127.0.0.1:9/x',
      logger: { warn: vi.fn(), error: vi.fn() },
      fetch,
    });
    expect(await notifier.notify(notice())).toBe('failed');
    expect(fetch).toHaveBeenCalledOnce();
    expect(
      () => new WebhookNotifier({ url: 'ftp://x/y', logger: { warn: vi.fn(), error: vi.fn() } }),
    ).toThrow(/http\(s\)/);
    expect(
      () => new WebhookNotifier({ url: 'not a url', logger: { warn: vi.fn(), error: vi.fn() } }),
    ).toThrow();
  });
});
