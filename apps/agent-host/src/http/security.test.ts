import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Sessions } from '../auth/sessions.js';
import { TokenTable } from '../auth/token-file.js';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { HostSandbox } from '../core/host-adapter.js';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { createApp } from './create-app.js';

const A = 'token-of-tenant-a-0123456789';
const B = 'token-of-tenant-b-0123456789';

async function setup(policy = defaultPolicy(2), options: { metricsOpen?: boolean } = {}) {
  let n = 0;
  const provision = vi.fn(
    async (): Promise<HostSandbox> => ({
      id: `box-${++n}`,
      type: 'docker',
      exec: async () => ({ exitCode: 0, stdout: 'hi', stderr: '' }),
      dispose: async () => {},
    }),
  );
  // Wired as `sbx serve` wires it (the policy's caps included), over a fake docker adapter.
  const { db, kpis, perf, alerts, host, config } = await createTestHost({
    policy,
    config: { dbPath: '/secret/path/sbx.db', engineAddress: '/var/run/docker.sock' },
    adapters: { docker: { type: 'docker', provision: provision as never } },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const sessions = new Sessions();
  const tokens = new TokenTable([
    { tenant: 'a', token: A },
    { tenant: 'b', token: B },
  ]);
  const metrics = { metrics: async () => 'sbx_up 1\n', contentType: 'text/plain' };
  const app = createApp(
    {
      kpis,
      perf,
      host,
      alerts,
      metrics: metrics as never,
      config,
    },
    { auth: { tokens, sessions }, allowedHosts: ['127.0.0.1'], ...options },
  );
  const call = (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(`http://127.0.0.1:7070${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { db, kpis, alerts, host, sessions, provision, call, app };
}

describe('a host that holds against its callers', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => ctx.db.destroy());

  it('answers 401 with WWW-Authenticate and does nothing without a valid token', async () => {
    for (const token of [undefined, 'wrong-token-0123456789']) {
      const res = await ctx.call('POST', '/v1/sandboxes', token, { type: 'docker', image: 'busybox' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sbx"');
    }
    expect((await ctx.call('GET', '/v1/kpis')).status).toBe(401);
    expect((await ctx.call('GET', '/metrics')).status).toBe(401);
    expect((await ctx.call('GET', '/metrics', A)).status).toBe(200);
    expect(ctx.provision).not.toHaveBeenCalled();
    expect(await ctx.kpis.count()).toBe(0);
  });

  it('keeps /healthz open and says only its status and counts', async () => {
    const res = await ctx.call('GET', '/healthz');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: 'ok',
      engine: 'reachable',
      store: { status: 'ok', spooled: 0, oldestAgeSeconds: 0 },
      liveSandboxes: 0,
    });
    expect(text).not.toContain('/secret');
    expect(text).not.toContain('docker.sock');
  });

  it('answers 421 to a Host that is not loopback or allowed (DNS rebinding)', async () => {
    const res = await ctx.app.request('http://attacker.example/v1/kpis', {
      headers: { authorization: `Bearer ${A}` },
    });
    expect(res.status).toBe(421);
    expect((await ctx.app.request('http://localhost:7070/healthz')).status).toBe(200);
  });

  it("a tenant gets 404 for another tenant's sandbox and lists only its own", async () => {
    const created = await ctx.call('POST', '/v1/sandboxes', A, { type: 'docker', image: 'busybox' });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect((await ctx.call('POST', `/v1/sandboxes/${id}/exec`, B, { cmd: 'cat /tmp/secret' })).status).toBe(
      404,
    );
    expect((await ctx.call('DELETE', `/v1/sandboxes/${id}`, B)).status).toBe(404);
    expect(await (await ctx.call('GET', '/v1/sandboxes', B)).json()).toEqual({ sandboxes: [] });
    expect(await (await ctx.call('GET', '/v1/sandboxes', A)).json()).toEqual({
      sandboxes: [expect.objectContaining({ id, type: 'docker', state: 'live' })],
    });
    expect((await ctx.call('POST', `/v1/sandboxes/${id}/exec`, A, { cmd: 'true' })).status).toBe(200);
    const [row] = await ctx.kpis.listRecent();
    expect(row?.tenant).toBe('a');
  });

  it("shows another tenant's alerts without their sandbox ids", async () => {
    await ctx.alerts.insert({
      kind: 'overhead-alert',
      sandboxId: 'sbx-secret',
      valueMs: 9,
      thresholdMs: 1,
      message: 'overhead-alert: sandbox sbx-secret ran 9 ms',
      tenant: 'a',
    });
    const seenByB = (await (await ctx.call('GET', '/v1/alerts', B)).json()).rows[0];
    expect(seenByB.sandboxId).toBeUndefined();
    expect(JSON.stringify(seenByB)).not.toContain('sbx-secret');
    const seenByA = (await (await ctx.call('GET', '/v1/alerts', A)).json()).rows[0];
    expect(seenByA.sandboxId).toBe('sbx-secret');
  });

  it.each([
    [{ resources: { cpus: 1e-12 } }, 'resources.cpus', /from 0.01 to 2/],
    [{ resources: { cpus: 3 } }, 'resources.cpus', /from 0.01 to 2/],
    [{ resources: { memoryBytes: 1e15 } }, 'resources.memoryBytes', /to 4294967296/],
    [{ resources: { memoryBytes: 1 } }, 'resources.memoryBytes', /from 6291456/],
    [{ resources: { pids: 4_194_304 } }, 'resources.pids', /to 1024/],
  ])(
    'refuses %j above the policy with 400 naming the field and the cap, recording nothing',
    async (extra, field, cap) => {
      const res = await ctx.call('POST', '/v1/sandboxes', A, { type: 'docker', image: 'busybox', ...extra });
      expect(res.status).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe('POLICY_LIMIT');
      expect(error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
      expect(error.message).toMatch(cap);
      expect(ctx.provision).not.toHaveBeenCalled();
      expect(await ctx.kpis.count()).toBe(0);
    },
  );

  it('caps live sandboxes per tenant and in all with 429', async () => {
    await ctx.db.destroy();
    ctx = await setup({ ...defaultPolicy(2), maxLivePerTenant: 2, maxLiveTotal: 3 });
    const create = (token: string) =>
      ctx.call('POST', '/v1/sandboxes', token, { type: 'docker', image: 'busybox' });
    expect((await create(A)).status).toBe(201);
    expect((await create(A)).status).toBe(201);
    const third = await create(A);
    expect(third.status).toBe(429);
    expect((await third.json()).error.message).toMatch(/at most 2 live sandboxes per tenant/);
    expect((await create(B)).status).toBe(201);
    const full = await create(B);
    expect(full.status).toBe(429);
    expect((await full.json()).error.message).toMatch(/at most 3 live sandboxes/);
    expect(await ctx.kpis.count()).toBe(3);
  });

  it('answers 415 to a body that is not JSON, 413 with the limit that applied, and nosniff everywhere', async () => {
    const text = await ctx.app.request('http://127.0.0.1/v1/sandboxes', {
      method: 'POST',
      headers: { authorization: `Bearer ${A}`, 'content-type': 'text/plain' },
      body: '{"type":"docker","image":"busybox"}',
    });
    expect(text.status).toBe(415);
    expect(text.headers.get('x-content-type-options')).toBe('nosniff');
    const big = await ctx.call('POST', '/v1/provisions', A, { pad: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.message).toBe('request body over 16384 bytes');
    const bigger = await ctx.call('POST', '/v1/sandboxes', A, { pad: 'x'.repeat(100_000) });
    expect((await bigger.json()).error.message).toBe('request body over 65536 bytes');
  });

  it('signs the dashboard in with the one-time code: an HttpOnly SameSite=Strict cookie, spent once', async () => {
    expect((await ctx.call('GET', '/')).status).toBe(401); // the login page, no data
    const code = ctx.sessions.issueLoginCode('a');
    const login = await ctx.call('GET', `/login?code=${code}`);
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/sbx_session=[\w-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict/);
    const session = cookie.split(';')[0] as string;
    expect((await ctx.call('GET', '/', undefined, undefined, { cookie: session })).status).toBe(200);
    expect((await ctx.call('GET', '/v1/kpis', undefined, undefined, { cookie: session })).status).toBe(200);
    expect((await ctx.call('GET', `/login?code=${code}`)).status).toBe(401); // spent
    // The cookie does not let another site change anything.
    const crossSite = await ctx.call(
      'POST',
      '/v1/sandboxes',
      undefined,
      { type: 'docker', image: 'busybox' },
      {
        cookie: session,
        'sec-fetch-site': 'cross-site',
      },
    );
    expect(crossSite.status).toBe(401);
  });

  it('limits browser measurements per tenant with 429 and Retry-After', async () => {
    await ctx.db.destroy();
    ctx = await setup({ ...defaultPolicy(2), ingestPerMinute: 2 });
    const post = () => ctx.call('POST', '/v1/provisions', A, { nope: true });
    expect((await post()).status).toBe(400);
    expect((await post()).status).toBe(400);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await ctx.call('POST', '/v1/provisions', B, { nope: true })).status).toBe(400);
  });
});

describe('--metrics-open', () => {
  it('serves /metrics without a token, and nothing else', async () => {
    const ctx = await setup(defaultPolicy(2), { metricsOpen: true });
    expect((await ctx.call('GET', '/metrics')).status).toBe(200);
    expect((await ctx.call('GET', '/v1/kpis')).status).toBe(401);
    await ctx.db.destroy();
  });
});
