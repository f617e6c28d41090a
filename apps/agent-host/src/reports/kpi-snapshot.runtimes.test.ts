import type { SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import { createApp } from '../http/create-app.js';
import { type KpiSnapshot, kpiSnapshot } from './kpi-snapshot.js';

const BASE = Date.parse('2026-11-22T09:00:00.000Z');
const docker = (i: number, durationMs: number, attributes: Record<string, string>, code?: string) =>
  ({
    sandboxType: 'docker',
    durationMs,
    status: code || durationMs > 30_000 ? 'sla_breach' : 'ok',
    timestamp: new Date(BASE + i * 1_000),
    slaLimitMs: 30_000,
    attributes,
    ...(code ? { error: { name: 'BootstrapError', message: `failed: ${code}`, code } } : {}),
  }) satisfies ProvisionResult;

let testHost: TestHost;
let kpis: SandboxProvisioningKPI;
let app: ReturnType<typeof createApp>;
const get = async (query = '') => (await app.request(`/v1/kpis${query}`)).json() as Promise<KpiSnapshot>;

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
  // runc: 30 fast ones on host-a; runsc: 12 slower ones on two hosts, one failed; 5 older rows without a runtime.
  await kpis.recordMany([
    ...Array.from({ length: 5 }, (_, i) => docker(i, 5_000 + i, { hostId: 'host-a' })),
    ...Array.from({ length: 30 }, (_, i) => docker(10 + i, 250 + i, { hostId: 'host-a', runtime: 'runc' })),
    ...Array.from({ length: 11 }, (_, i) =>
      docker(50 + i, 500 + i, { hostId: i < 4 ? 'host-a' : 'host-b', runtime: 'runsc' }),
    ),
    docker(70, 40, { hostId: 'host-b', runtime: 'runsc' }, 'START_FAILED'),
  ]);
});
afterEach(() => testHost.close());

describe('GET /v1/kpis by engine runtime', () => {
  it('splits each type by runtime, each judged over its own newest 100; rows without one under no key', async () => {
    const { types, runtime } = await get();
    expect(runtime).toBeNull();
    const split = types.docker?.byRuntime ?? {};
    expect(Object.keys(split)).toEqual(['runc', 'runsc']);
    expect(split.runc).toMatchObject({
      provisionings: 30,
      sla: 'met',
      p95Last100: 278,
      last100: { n: 30, p50Ms: 264, p95Ms: 278, failures: 0 },
    });
    // One failure in twelve holds the P95 rank: the runtime is breached while the type's verdict is not.
    expect(split.runsc).toMatchObject({
      provisionings: 12,
      sla: 'breached',
      verdict: { status: 'breached', reason: 'failures', n: 12, p95Ms: '+Inf' },
      last100: { n: 12, failures: 1, maxMs: 510 },
    });
    expect(types.docker).toMatchObject({ sla: 'met', last100: { n: 47 } });
    expect(types.webcontainer?.byRuntime).toEqual({});
  });

  it('narrows the whole snapshot to one runtime with ?runtime=, and to one host and runtime with both', async () => {
    const runsc = await get('?runtime=runsc');
    expect(runsc).toMatchObject({ host: 'fleet', runtime: 'runsc' });
    expect(runsc.types.docker).toMatchObject({
      sla: 'breached',
      last100: { n: 12, failures: 1 },
      allTime: { n: 12, failures: 1 },
    });
    expect(Object.keys(runsc.types.docker?.byRuntime ?? {})).toEqual(['runsc']);
    // What a picker offers stays every recorded runtime (of the host, when narrowed to one).
    expect(runsc.runtimes).toEqual([
      { runtime: 'runc', provisionings: 30 },
      { runtime: 'runsc', provisionings: 12 },
    ]);
    expect((await get('?host=host-b')).runtimes).toEqual([{ runtime: 'runsc', provisionings: 8 }]);
    expect(runsc.types.docker?.trend.timestamps).toHaveLength(12);

    const both = await get('?host=host-a&runtime=runsc');
    expect(both).toMatchObject({ host: 'host-a', runtime: 'runsc' });
    expect(both.types.docker).toMatchObject({ sla: 'met', last100: { n: 4, maxMs: 503 }, allTime: { n: 4 } });
    expect(both.types.docker?.byRuntime.runsc?.provisionings).toBe(4);

    const none = await get('?runtime=kata');
    expect(none.types.docker).toMatchObject({ sla: 'no-data', last100: { n: 0 }, byRuntime: {} });
  });

  it('refuses a malformed runtime with a 400 naming the parameter', async () => {
    for (const bad of ['run%20sc', '', 'x'.repeat(65), 'runc;rm']) {
      const res = await app.request(`/v1/kpis?runtime=${bad}`);
      expect(res.status, bad).toBe(400);
      const { error } = await res.json();
      expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(error.message).toMatch(/^runtime: /);
    }
  });

  it('caches the fleet’s snapshot only: a narrowed one is computed each time and leaves the cache alone', async () => {
    const fleet = await kpiSnapshot(kpis);
    const spy = vi.spyOn(kpis, 'getStats');
    const a = await kpiSnapshot(kpis, undefined, { runtime: 'runc' });
    const b = await kpiSnapshot(kpis, undefined, { runtime: 'runc' });
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    expect(spy).toHaveBeenCalled();
    spy.mockClear();
    expect(await kpiSnapshot(kpis)).toBe(fleet);
    expect(spy).not.toHaveBeenCalled();
  });
});
