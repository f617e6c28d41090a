import { describe, expect, it } from 'vitest';
import { GuessLimiter } from '../auth/guess-limiter.js';
import { Sessions } from '../auth/sessions.js';
import { TokenTable } from '../auth/token-file.js';
import type { HostSandbox } from '../core/host-adapter.js';
import { controlPlane } from './control-plane.js';
import type { E2bHost } from './e2b-host.js';
import { E2bSandboxes } from './e2b-sandboxes.js';
import { factsOf, setPaused } from './sandbox-labels.js';
import { sandboxPlane } from './sandbox-plane.js';

const KEY_A = 'a'.repeat(43);
const KEY_B = 'b'.repeat(43);

// A host that provisions instantly: what the door asks of it is recorded, tenancy is the host's (by owner).
function fakeHost() {
  const live = new Map<
    string,
    { sandbox: HostSandbox; tenant: string; expiresAt: number; labels?: Record<string, string> }
  >();
  const calls: string[] = [];
  const requests: unknown[] = [];
  let n = 0;
  const host = {
    policy: { maxFileBytes: 1024, maxTransfersPerTenant: 2, maxTransfersTotal: 4, maxUploadEntries: 10 },
    async create(request: { tenant: string; template: string; labels?: Record<string, string> }) {
      calls.push(`create ${request.template}`);
      requests.push(request);
      const sandbox = { id: `sbx-${++n}`, type: 'docker' } as unknown as HostSandbox;
      live.set(sandbox.id, {
        sandbox,
        tenant: request.tenant,
        expiresAt: 1_000,
        ...(request.labels ? { labels: { ...request.labels } } : {}),
      });
      return { sandbox, source: 'cold' };
    },
    list: (tenant: string) => [...live].filter(([, s]) => s.tenant === tenant).map(([id]) => id),
    labelsOf: (id: string) => live.get(id)?.labels,
    setLabels(id: string, labels: Record<string, string>) {
      const entry = live.get(id);
      if (entry) entry.labels = { ...labels };
      return entry !== undefined;
    },
    find: (id: string, tenant: string) =>
      live.get(id)?.tenant === tenant ? live.get(id)?.sandbox : undefined,
    alive: (id: string) => live.has(id),
    times: (id: string) =>
      live.has(id) ? { createdAt: 0, expiresAt: live.get(id)?.expiresAt ?? 0 } : undefined,
    ttlLeft: () => 3_600_000,
    extendTtl: (id: string, ttlMs: number) => {
      calls.push(`ttl ${id} ${ttlMs}`);
      return ttlMs;
    },
    async dispose(id: string) {
      calls.push(`dispose ${id}`);
      return live.delete(id);
    },
    async pause(id: string) {
      calls.push(`pause ${id}`);
    },
    async resume(id: string) {
      calls.push(`resume ${id}`);
    },
    async exec(_sandbox: unknown, run: { argv: string[]; stdin?: Uint8Array }) {
      calls.push(`exec ${run.argv[0]} ${run.stdin?.length ?? 0}`);
      return { exitCode: 0, stdout: '', stderr: '' };
    },
  };
  return { host: host as unknown as E2bHost, calls, requests };
}

// One door instance over `shared` (a host) or its own fake host.
function door(shared?: ReturnType<typeof fakeHost>) {
  const { host, calls, requests } = shared ?? fakeHost();
  const sandboxes = new E2bSandboxes();
  const auth = {
    tokens: new TokenTable([
      { tenant: 'alice', token: KEY_A },
      { tenant: 'bob', token: KEY_B },
    ]),
    sessions: new Sessions(),
    guesses: new GuessLimiter({ perMinute: 100 }),
  };
  const api = controlPlane({ host, sandboxes, auth, domain: 'sbx.example.com' });
  const envd = sandboxPlane({ host, sandboxes, caps: {} as never, auth });
  const call = (key: string | undefined, method: string, path: string, body?: unknown) =>
    api.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { call, envd, calls, sandboxes, requests, host };
}

describe('the E2B control plane', () => {
  it('answers 401 without a key or with a wrong one, and provisions nothing', async () => {
    const { call, calls } = door();
    for (const key of [undefined, 'x'.repeat(43)]) {
      const res = await call(key, 'POST', '/v2/sandboxes', { templateID: 'base' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 401, message: expect.stringMatching(/X-API-KEY/) });
    }
    expect(calls).toEqual([]);
  });

  it('refuses a bad body with a 400 naming the field, before any host call', async () => {
    const { call, calls } = door();
    const bad = [
      [{}, /templateID/],
      [{ templateID: '../etc' }, /templateID/],
      [{ templateID: 'base', autoPause: 'yes' }, /autoPause/],
      [{ templateID: 'base', autoPause: true, autoResume: { enabled: true } }, /autoResume is not supported/],
      [{ templateID: 'base', autoPause: true, autoPauseMemory: false }, /keeps memory/],
      [
        {
          templateID: 'base',
          metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
        },
        /64 keys/,
      ],
      [
        {
          templateID: 'base',
          metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(1_000)])),
        },
        /16384 characters/,
      ],
      [{ templateID: 'base', metadata: { 'a\nb': 'v' } }, /^metadata.*(printable|Invalid key)/s],
      [{ templateID: 'base', metadata: { k: 'v\u0000' } }, /printable/],
      [{ templateID: 'base', envVars: { 'A=B': 'x' } }, /envVars/],
      [{ templateID: 'base', timeout: -1 }, /timeout/],
    ] as const;
    for (const [body, message] of bad) {
      const res = await call(KEY_A, 'POST', '/v2/sandboxes', body);
      expect(res.status).toBe(400);
      expect((await res.json()).message).toMatch(message);
    }
    expect(calls).toEqual([]);
  });

  it('create returns the access token and domain; list filters by metadata and pages by X-Next-Token', async () => {
    const { call } = door();
    const ids: string[] = [];
    for (const n of ['1', '2', '3']) {
      const res = await call(KEY_A, 'POST', '/v2/sandboxes', {
        templateID: 'base',
        metadata: { tag: 'x', n },
      });
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body).toMatchObject({
        envdVersion: '0.5.7',
        domain: 'sbx.example.com',
        envdAccessToken: expect.any(String),
      });
      ids.push(body.sandboxID);
    }
    await call(KEY_A, 'POST', '/sandboxes', { templateID: 'base', metadata: { tag: 'y' } });
    const first = await call(KEY_A, 'GET', '/v2/sandboxes?metadata=tag%3Dx&limit=2');
    expect((await first.json()).map((s: { sandboxID: string }) => s.sandboxID)).toEqual(ids.slice(0, 2));
    const token = first.headers.get('x-next-token');
    const second = await call(KEY_A, 'GET', `/v2/sandboxes?metadata=tag%3Dx&limit=2&nextToken=${token}`);
    expect(second.headers.get('x-next-token')).toBeNull();
    expect((await second.json()).map((s: { sandboxID: string }) => s.sandboxID)).toEqual([ids[2]]);
    expect((await call(KEY_A, 'GET', '/v2/sandboxes?nextToken=bm9wZQ')).status).toBe(400);
  });

  it("a second tenant cannot see, time, pause, resume or kill the first's sandbox", async () => {
    const { call, calls } = door();
    const { sandboxID } = await (await call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base' })).json();
    expect(await (await call(KEY_B, 'GET', '/v2/sandboxes')).json()).toEqual([]);
    for (const [method, path] of [
      ['GET', `/sandboxes/${sandboxID}`],
      ['POST', `/sandboxes/${sandboxID}/timeout`],
      ['POST', `/sandboxes/${sandboxID}/pause`],
      ['POST', `/v2/sandboxes/${sandboxID}/connect`],
      ['DELETE', `/sandboxes/${sandboxID}`],
    ] as const) {
      expect(
        (
          await call(
            KEY_B,
            method,
            path,
            method === 'GET' || method === 'DELETE' ? undefined : { timeout: 5 },
          )
        ).status,
      ).toBe(404);
    }
    expect(calls).toEqual(['create base']);
  });

  it('pause twice is 409; connect resumes (201) then answers 200; kill twice is 404', async () => {
    const { call, calls } = door();
    const { sandboxID } = await (await call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base' })).json();
    expect((await call(KEY_A, 'POST', `/sandboxes/${sandboxID}/pause`, {})).status).toBe(204);
    expect((await call(KEY_A, 'POST', `/sandboxes/${sandboxID}/pause`, {})).status).toBe(409);
    expect((await call(KEY_A, 'POST', `/v2/sandboxes/${sandboxID}/connect`, {})).status).toBe(201);
    expect((await call(KEY_A, 'POST', `/v2/sandboxes/${sandboxID}/connect`, { timeout: 60 })).status).toBe(
      200,
    );
    expect((await call(KEY_A, 'DELETE', `/sandboxes/${sandboxID}`)).status).toBe(204);
    expect((await call(KEY_A, 'DELETE', `/sandboxes/${sandboxID}`)).status).toBe(404);
    expect(calls).toEqual([
      'create base',
      `pause ${sandboxID}`,
      `resume ${sandboxID}`,
      `ttl ${sandboxID} 300000`, // resumed without a timeout: E2B's default again
      `ttl ${sandboxID} 60000`,
      `dispose ${sandboxID}`,
    ]);
  });

  it('metadata is stored with a new sandbox as its labels on the host (e2b.metadata.KEY), not in the door', async () => {
    const { call, requests } = door();
    const res = await call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base', metadata: { team: 'a b' } });
    expect(res.status).toBe(201);
    expect(requests).toEqual([
      expect.objectContaining({ labels: { 'e2b.template': 'base', 'e2b.metadata.team': 'a b' } }),
    ]);
    await call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base', autoPause: true, timeout: 30 });
    expect(requests[1]).toMatchObject({
      labels: { 'e2b.template': 'base', 'e2b.autoPause': 'true', 'e2b.timeoutMs': '30000' },
    });
  });

  it('a second door instance over the same host lists, filters, gets and connects what the first created', async () => {
    const host = fakeHost();
    const one = door(host);
    const two = door(host);
    const made = await (
      await one.call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base', metadata: { team: 'x' } })
    ).json();
    await one.call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base', metadata: { team: 'y' } });
    expect((await one.call(KEY_A, 'POST', `/sandboxes/${made.sandboxID}/pause`, {})).status).toBe(204);
    const listed = await (await two.call(KEY_A, 'GET', '/v2/sandboxes?metadata=team%3Dx')).json();
    expect(listed).toEqual([
      expect.objectContaining({ sandboxID: made.sandboxID, metadata: { team: 'x' }, state: 'paused' }),
    ]);
    expect(await (await two.call(KEY_B, 'GET', '/v2/sandboxes')).json()).toEqual([]);
    const info = await (await two.call(KEY_A, 'GET', `/sandboxes/${made.sandboxID}`)).json();
    expect(info).toMatchObject({ templateID: 'base', metadata: { team: 'x' }, state: 'paused' });
    // The second door resumes it and issues its own access token; the first sees it running again.
    const resumed = await two.call(KEY_A, 'POST', `/v2/sandboxes/${made.sandboxID}/connect`, {});
    expect(resumed.status).toBe(201);
    expect((await resumed.json()).envdAccessToken).not.toBe(made.envdAccessToken);
    const again = await (await one.call(KEY_A, 'GET', `/sandboxes/${made.sandboxID}`)).json();
    expect(again.state).toBe('running');
    // Removed with the sandbox: gone from both.
    expect((await two.call(KEY_A, 'DELETE', `/sandboxes/${made.sandboxID}`)).status).toBe(204);
    expect((await one.call(KEY_A, 'GET', `/sandboxes/${made.sandboxID}`)).status).toBe(404);
  });

  it('autoPause is kept with the sandbox; connect waits for an automatic pause under way, then resumes', async () => {
    const { call, calls, sandboxes, host } = door();
    const res = await call(KEY_A, 'POST', '/v2/sandboxes', {
      templateID: 'base',
      autoPause: true,
      timeout: 30,
    });
    const { sandboxID } = await res.json();
    const record = sandboxes.get(sandboxID, 'alice');
    expect(factsOf(host, sandboxID)).toMatchObject({ autoPause: true, ttlMs: 30_000, paused: false });
    if (!record) return;
    let paused: () => void = () => {};
    setPaused(host, sandboxID, true);
    record.pausing = new Promise<void>((resolve) => (paused = resolve));
    const connecting = call(KEY_A, 'POST', `/v2/sandboxes/${sandboxID}/connect`, {});
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).not.toContain(`resume ${sandboxID}`);
    paused();
    expect((await connecting).status).toBe(201);
    expect(calls.slice(-2)).toEqual([`resume ${sandboxID}`, `ttl ${sandboxID} 30000`]);
    expect(factsOf(host, sandboxID)?.paused).toBe(false);
  });

  it('the sandbox plane wants the sandbox own access token: another is 401, an unknown id 502', async () => {
    const { call, envd } = door();
    const a = await (await call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base' })).json();
    const b = await (await call(KEY_B, 'POST', '/v2/sandboxes', { templateID: 'base' })).json();
    const health = (id: string, token?: string) =>
      envd.request('/health', {
        headers: { 'e2b-sandbox-id': id, ...(token ? { 'x-access-token': token } : {}) },
      });
    expect((await health(a.sandboxID, a.envdAccessToken)).status).toBe(204);
    expect((await health(a.sandboxID, b.envdAccessToken)).status).toBe(401);
    expect((await health(a.sandboxID)).status).toBe(401);
    expect((await health(a.sandboxID, KEY_A)).status).toBe(401);
    expect((await health('sbx-none', a.envdAccessToken)).status).toBe(502);
    await call(KEY_A, 'POST', `/sandboxes/${a.sandboxID}/pause`, {});
    expect((await health(a.sandboxID, a.envdAccessToken)).status).toBe(502);
  });

  it('an upload over maxFileBytes is 413 however it is sent, and nothing is written; one within is', async () => {
    const { call, envd, calls } = door();
    const a = await (await call(KEY_A, 'POST', '/v2/sandboxes', { templateID: 'base' })).json();
    const headers = { 'e2b-sandbox-id': a.sandboxID, 'x-access-token': a.envdAccessToken };
    const big = new Uint8Array(1024 + 64 * 1024 + 1);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(big);
        controller.close();
      },
    });
    const sends = [
      { body: big, type: 'application/octet-stream' },
      { body: chunked, type: 'application/octet-stream' },
    ];
    for (const { body, type } of sends) {
      const res = await envd.request('/files?path=/tmp/x', {
        method: 'POST',
        headers: { ...headers, 'content-type': type },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
    }
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(2048)]), '/tmp/big');
    expect((await envd.request('/files', { method: 'POST', headers, body: form })).status).toBe(413);
    expect(calls.filter((c) => c.startsWith('exec'))).toEqual([]);
    const ok = await envd.request('/files?path=/tmp/x', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(10),
    });
    expect(ok.status).toBe(200);
    expect(calls.filter((c) => c.startsWith('exec'))).toEqual(['exec sh 10']);
  });
});
