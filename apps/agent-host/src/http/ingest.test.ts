import type { SandboxAlertRepository, SandboxProvisioningKPI } from '@sbx/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import { createApp } from './create-app.js';
import { jsonRequest } from './testing/test-app.js';

const HOUR = 3_600_000;
/** A start `hoursAgo` before the server's clock, as ISO text. */
const ago = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString();
const STARTED = ago(0.5);

const valid = () => ({
  sandboxType: 'webcontainer',
  durationMs: 92.7,
  status: 'ok',
  timestamp: STARTED,
  phases: [
    { name: 'preflight', startMs: 0, durationMs: 0.2 },
    { name: 'boot', startMs: 0.2, durationMs: 42.1 },
    { name: 'ready', startMs: 42.3, durationMs: 50.4 },
  ],
});

describe('POST /v1/provisions', () => {
  let testHost: TestHost;
  let kpis: SandboxProvisioningKPI;
  let alerts: SandboxAlertRepository;
  let post: (body: unknown) => Promise<Response>;
  beforeEach(async () => {
    // Wired as `sbx serve` wires it: the host's breaches go to the alert service and its repository.
    testHost = await createTestHost({ adapters: {}, logger: { warn: vi.fn(), error: vi.fn() } });
    ({ kpis, alerts } = testHost);
    const { perf, host, config } = testHost;
    const app = createApp({ kpis, perf, host, config });
    const request = jsonRequest(app);
    post = async (body) => request('POST', '/v1/provisions', body);
  });
  afterEach(() => testHost.close());

  it('stores a browser-measured provisioning with its phases, next to docker rows', async () => {
    const res = await post(valid());
    expect(res.status).toBe(201);
    const [row] = await kpis.listRecent({ type: 'webcontainer' });
    expect(row).toMatchObject({
      sandboxType: 'webcontainer',
      durationMs: 92.7,
      status: 'ok',
      slaLimitMs: 10_000,
    });
    expect(row?.timestamp.toISOString()).toBe(STARTED);
    expect(row?.phases.map((p) => p.name)).toEqual(['preflight', 'boot', 'ready']);
  });

  it('stores a failure with its error, as client-reported: shown apart, never judged, no alert', async () => {
    const failed = {
      ...valid(),
      durationMs: 8000.4,
      status: 'sla_breach',
      phases: [{ name: 'boot', startMs: 0.3, durationMs: 8000.1 }],
      error: { name: 'BootstrapError', message: 'runtime unreachable', code: 'RUNTIME_UNREACHABLE' },
    };
    expect((await post(failed)).status).toBe(201);
    expect((await kpis.listRecent())[0]?.source).toBe('client');
    expect(await kpis.getStats('webcontainer', { source: 'client' })).toMatchObject({
      n: 1,
      failures: 1,
      slaBreaches: 1,
    });
    expect(await kpis.getStats('webcontainer')).toMatchObject({ n: 0, failures: 0 });
    expect(await alerts.count('sla-breach')).toBe(0);
  });

  it('stores a cancelled provisioning as cancelled: no SLA evidence and no alert', async () => {
    const cancelled = {
      ...valid(),
      durationMs: 400,
      status: 'sla_breach',
      phases: [{ name: 'boot', startMs: 0, durationMs: 399 }],
      error: { name: 'BootstrapError', message: 'provisioning was aborted', code: 'CANCELLED' },
    };
    expect((await post(cancelled)).status).toBe(201);
    expect(await kpis.getStats('webcontainer', { source: 'client' })).toMatchObject({
      n: 0,
      cancelled: 1,
      failures: 0,
    });
    expect(await alerts.count('sla-breach')).toBe(0);
  });

  it("forged client reports cannot flip the verdict the host's own measurements give", async () => {
    // 20 webcontainers the host measured itself, all fast; then 20 forged reports at the 60 s bound.
    for (let i = 0; i < 20; i++) {
      await kpis.record({
        sandboxType: 'webcontainer',
        durationMs: 900,
        status: 'ok',
        timestamp: new Date(),
      });
    }
    const forged = { ...valid(), durationMs: 60_000, status: 'sla_breach', phases: [] };
    for (let i = 0; i < 20; i++) expect((await post(forged)).status).toBe(201);
    expect((await kpis.getStats('webcontainer')).verdict).toMatchObject({ status: 'met', n: 20 });
    expect((await kpis.getStats('webcontainer', { source: 'client' })).verdict).toMatchObject({
      status: 'breached',
      n: 20,
    });
    expect(await alerts.count('sla-breach')).toBe(0);
  });

  it("stores the server's SLA limit and judges the status by it", async () => {
    expect((await post({ ...valid(), durationMs: 9_999.9 })).status).toBe(201);
    expect((await kpis.listRecent())[0]?.slaLimitMs).toBe(10_000);
    const slow = await post({ ...valid(), durationMs: 10_000.1 });
    expect(slow.status).toBe(400);
    expect((await slow.json()).error.issues[0].message).toMatch(/must be 'sla_breach'.*limit 10000 ms/);
  });

  it('accepts a start up to a day away from the server clock and a duration up to 6 x the SLA (60 s)', async () => {
    const day = { ...valid(), timestamp: ago(23.9), durationMs: 60_000, status: 'sla_breach' };
    expect((await post(day)).status).toBe(201);
    expect((await post({ ...valid(), timestamp: ago(-23.9) })).status).toBe(201);
    expect(await kpis.count()).toBe(2);
  });

  it.each([
    ['an unknown type', { sandboxType: 'vm' }, 'sandboxType'],
    ['a negative duration', { durationMs: -1 }, 'durationMs'],
    ['a string duration', { durationMs: '90' }, 'durationMs'],
    ['an unknown phase', { phases: [{ name: 'warp', startMs: 0, durationMs: 1 }] }, 'phases.0.name'],
    ['a phase past the end', { phases: [{ name: 'boot', startMs: 50, durationMs: 60 }] }, 'phases.0'],
    [
      'a non-finite phase',
      { phases: [{ name: 'boot', startMs: 0, durationMs: Number.POSITIVE_INFINITY }] },
      'phases.0.durationMs',
    ],
    ['an ok status over the limit', { durationMs: 10_001 }, 'status'],
    ['a breach with no reason', { status: 'sla_breach' }, 'status'],
    ['a bad timestamp', { timestamp: 'yesterday' }, 'timestamp'],
    ['a future timestamp', { timestamp: '2999-01-01T00:00:00Z' }, 'timestamp'],
    ['a timestamp in year 0000', { timestamp: '0000-01-01T00:00:00Z' }, 'timestamp'],
    ['a timestamp two days old', { timestamp: ago(48) }, 'timestamp'],
    ['an extra field', { value: { secret: 1 } }, '(body)'],
    ['a docker provisioning (the host measures those itself)', { sandboxType: 'docker' }, 'sandboxType'],
    ["a client's SLA limit", { slaLimitMs: 10_000 }, 'slaLimitMs'],
    ["a client's generous SLA limit", { slaLimitMs: 1e9, durationMs: 50_000 }, 'slaLimitMs'],
    ['a duration of 1.7e308 ms', { durationMs: 1.7e308, status: 'sla_breach' }, 'durationMs'],
    ['a forged 24 h duration', { durationMs: 24 * HOUR, status: 'sla_breach' }, 'durationMs'],
    ['a duration over 6 x the SLA', { durationMs: 60_000.001, status: 'sla_breach' }, 'durationMs'],
    [
      'a phase over 6 x the SLA',
      {
        durationMs: 60_000,
        status: 'sla_breach',
        phases: [{ name: 'boot', startMs: 0, durationMs: 60_001 }],
      },
      'phases.0.durationMs',
    ],
    [
      'a phase starting past 6 x the SLA',
      { phases: [{ name: 'boot', startMs: 61_000, durationMs: 0 }] },
      'phases.0.startMs',
    ],
    [
      'a phase over 24 h',
      { phases: [{ name: 'boot', startMs: 0, durationMs: 1e300 }] },
      'phases.0.durationMs',
    ],
  ])('refuses %s with 400 naming %s, and writes nothing', async (_what, patch, path) => {
    const res = await post({ ...valid(), ...patch });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await kpis.count()).toBe(0);
  });

  it('answers CORS only for the origins it was given', async () => {
    const { perf, host, config } = testHost;
    const deps = { kpis, perf, host, config };
    const preflight = (app: ReturnType<typeof createApp>, origin: string) =>
      app.request('/v1/provisions', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const open = createApp(deps, { corsOrigins: ['http://localhost:5173'] });
    const allowed = await preflight(open, 'http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await preflight(open, 'http://evil.test')).headers.get('access-control-allow-origin')).toBeNull();
    expect(
      (await preflight(createApp(deps), 'http://localhost:5173')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await post({ ...valid(), error: { name: 'x', message: 'y'.repeat(20_000) } });
    expect(res.status).toBe(413);
    expect(await kpis.count()).toBe(0);
  });
});
