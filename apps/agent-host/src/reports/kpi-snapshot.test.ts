import type { SandboxProvisioningKPI } from '@sbx/store';
import { type ProvisionResult, slaVerdict } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import { createApp } from '../http/create-app.js';
import { type KpiSnapshot, kpiSnapshot } from './kpi-snapshot.js';

const BASE = Date.parse('2026-11-22T09:00:00.000Z');
const docker = (second: number, durationMs: number, code?: string): ProvisionResult => ({
  sandboxType: 'docker',
  durationMs,
  status: code || durationMs > 30_000 ? 'sla_breach' : 'ok',
  timestamp: new Date(BASE + second * 1_000),
  slaLimitMs: 30_000,
  ...(code ? { error: { name: 'BootstrapError', message: `failed: ${code}`, code } } : {}),
});

let testHost: TestHost;
let kpis: SandboxProvisioningKPI;
let getKpis: () => Promise<KpiSnapshot>;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  testHost = await createTestHost({ adapters: {}, config: { engineAddress: 'x' } });
  kpis = testHost.kpis;
  const { perf, host } = testHost;
  app = createApp({
    kpis,
    perf,
    host,
    config: testHost.config,
  });
  getKpis = async () => (await app.request('/v1/kpis')).json() as Promise<KpiSnapshot>;
});
afterEach(() => testHost.close());

describe('GET /v1/kpis', () => {
  it('says breached because of failures when every provisioning failed (it used to say met)', async () => {
    await kpis.recordMany(Array.from({ length: 5 }, (_, i) => docker(i, 4, 'START_FAILED')));
    const { types } = await getKpis();
    expect(types.docker).toMatchObject({
      sla: 'breached',
      slaReason: 'failures',
      verdict: { status: 'breached', reason: 'failures', n: 5, failures: 5, p95Ms: '+Inf' },
      last100: { n: 5, failures: 0 + 5, successRate: 0, slaMet: false },
    });
    // The raw P95 of getP95Latency() is kept for scripts, and is no verdict.
    expect(types.docker?.p95Last100).toBe(4);
    expect(types.docker?.latestFailures.map((f) => f.error?.code)).toEqual([
      'START_FAILED',
      'START_FAILED',
      'START_FAILED',
    ]);
    expect(types.webcontainer).toMatchObject({ sla: 'no-data', slaReason: null, verdict: { n: 0 } });
  });

  it('counts cancelled provisionings on their own and judges without them', async () => {
    await kpis.recordMany([
      ...Array.from({ length: 20 }, (_, i) => docker(i, 200)),
      ...Array.from({ length: 8 }, (_, i) => docker(100 + i, 700, 'CANCELLED')),
    ]);
    const { types } = await getKpis();
    expect(types.docker).toMatchObject({
      sla: 'met',
      verdict: { n: 20, cancelled: 8 },
      last100: { cancelled: 8 },
    });
    expect(types.docker?.trend.timestamps).toHaveLength(20);
  });

  it('draws the P95 over time from the same verdict, one point per provisioning of the window', async () => {
    const rows = Array.from({ length: 150 }, (_, i) =>
      docker(i, 100 + (i % 7) * 10, i >= 140 ? 'START_FAILED' : undefined),
    );
    await kpis.recordMany(rows);
    const { types } = await getKpis();
    const trend = types.docker?.trend;
    const p95s = [...(trend?.p95Ms ?? [])].reverse(); // newest first, like the windows below
    expect(trend?.timestamps).toHaveLength(100);
    expect(trend?.timestamps.at(-1)).toBe(BASE + 149_000);
    expect(trend?.timestamps[0]).toBe(BASE + 50_000);
    // Each point is the verdict over the 100 provisionings up to it (newest first in `rows.reverse()`).
    const newestFirst = [...rows]
      .reverse()
      .map((r) => ({ durationMs: r.durationMs, slaLimitMs: 30_000, failed: !!r.error }));
    for (let i = 0; i < p95s.length; i++) {
      const want = slaVerdict(newestFirst.slice(i, i + 100), { slaLimitMs: 30_000 }).p95Ms;
      expect(p95s[i], `point ${i}`).toBe(want === Number.POSITIVE_INFINITY ? '+Inf' : want);
    }
    expect(p95s[0]).toBe('+Inf'); // 10 failures in the newest 100
    expect(p95s[99]).not.toBe('+Inf');
    expect(trend?.failed.filter(Boolean)).toHaveLength(10);
  });

  it('computes once per change of the data: cached between writes, shared by concurrent callers', async () => {
    await kpis.record(docker(0, 100));
    const spy = vi.spyOn(kpis, 'getStats');
    const [a, b] = await Promise.all([kpiSnapshot(kpis), kpiSnapshot(kpis)]);
    expect(a).toBe(b);
    expect(await kpiSnapshot(kpis)).toBe(a);
    const callsPerSnapshot = spy.mock.calls.length;
    expect(callsPerSnapshot).toBeGreaterThan(0);
    await kpis.record(docker(1, 31_000));
    const c = await kpiSnapshot(kpis);
    expect(c).not.toBe(a);
    expect(c.types.docker?.last100.n).toBe(2);
    expect(spy.mock.calls.length).toBe(2 * callsPerSnapshot);
  });
});

describe('GET /v1/kpis?host= and GET /v1/hosts', () => {
  const from = (hostId: string, r: ProvisionResult): ProvisionResult => ({ ...r, attributes: { hostId } });

  it('gives one host its own all-time and last-24-hour figures, the fleet their sum', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: BASE + 3_600_000 });
    try {
      await kpis.recordMany([
        ...Array.from({ length: 6 }, (_, i) => from('host-a', docker(i, 100 + i))),
        ...Array.from({ length: 4 }, (_, i) => from('host-b', docker(10 + i, 900 + i))),
        from('host-b', docker(20, 5, 'START_FAILED')),
      ]);
      const one = (await (await app.request('/v1/kpis?host=host-b')).json()) as KpiSnapshot;
      expect(one.host).toBe('host-b');
      expect(one.types.docker?.allTime).toMatchObject({ n: 5, failures: 1, maxMs: 903 });
      expect(one.types.docker?.last24h).toMatchObject({ n: 5, failures: 1 });
      expect(one.types.docker?.last100).toMatchObject({ n: 5 });
      const fleet = await getKpis();
      expect(fleet.types.docker?.allTime).toMatchObject({ n: 11, failures: 1, maxMs: 903 });
      expect(fleet.types.docker?.last24h?.n).toBe(11);
      const hosts = await (await app.request('/v1/hosts')).json();
      expect(hosts).toEqual({
        rows: [
          { hostId: 'host-a', provisionings: 6 },
          { hostId: 'host-b', provisionings: 5 },
        ],
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a host id that no agent host could have', async () => {
    const res = await app.request('/v1/kpis?host=a%20b');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
