import { openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultPolicy } from '../policy/sandbox-policy.js';
import { SandboxHost } from '../sandbox/sandbox-host.js';
import { createApp } from './create-app.js';

const valid = () => ({
  sandboxType: 'webcontainer',
  durationMs: 92.7,
  status: 'ok',
  timestamp: '2026-11-22T10:00:00.000Z',
  slaLimitMs: 10_000,
  phases: [
    { name: 'preflight', startMs: 0, durationMs: 0.2 },
    { name: 'boot', startMs: 0.2, durationMs: 42.1 },
    { name: 'ready', startMs: 42.3, durationMs: 50.4 },
  ],
});

describe('POST /v1/provisions', () => {
  let db: Awaited<ReturnType<typeof openDatabase>>;
  let kpis: SandboxProvisioningKPI;
  let post: (body: unknown) => Promise<Response>;
  beforeEach(async () => {
    db = await openDatabase(':memory:');
    kpis = new SandboxProvisioningKPI(db);
    const perf = new SandboxPerfRecordRepository(db);
    const logger = { warn: vi.fn(), error: vi.fn() };
    const host = new SandboxHost({ recorder: kpis, sink: perf, adapters: {}, logger });
    const app = createApp({
      kpis,
      perf,
      host,
      config: { dbPath: ':memory:', dockerHost: undefined, engineAddress: 'x', policy: defaultPolicy(2) },
    });
    post = async (body) =>
      app.request('/v1/provisions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
  });
  afterEach(() => db.destroy());

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
    expect(row?.timestamp.toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(row?.phases.map((p) => p.name)).toEqual(['preflight', 'boot', 'ready']);
  });

  it('stores a failure with its error', async () => {
    const failed = {
      ...valid(),
      durationMs: 8000.4,
      status: 'sla_breach',
      phases: [{ name: 'boot', startMs: 0.3, durationMs: 8000.1 }],
      error: { name: 'BootstrapError', message: 'runtime unreachable', code: 'RUNTIME_UNREACHABLE' },
    };
    expect((await post(failed)).status).toBe(201);
    expect(await kpis.getStats('webcontainer')).toMatchObject({ n: 1, failures: 1, slaBreaches: 1 });
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
    ['an extra field', { value: { secret: 1 } }, '(body)'],
  ])('refuses %s with 400 naming %s, and writes nothing', async (_what, patch, path) => {
    const res = await post({ ...valid(), ...patch });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await kpis.count()).toBe(0);
  });

  it('answers CORS only for the origins it was given', async () => {
    const deps = {
      kpis,
      perf: new SandboxPerfRecordRepository(db),
      host: new SandboxHost({
        recorder: kpis,
        sink: new SandboxPerfRecordRepository(db),
        adapters: {},
        logger: { warn: vi.fn(), error: vi.fn() },
      }),
      config: { dbPath: ':memory:', dockerHost: undefined, engineAddress: 'x', policy: defaultPolicy(2) },
    };
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
