// Preview ports through the in-sandbox agent (the fake agent dials a real server on this host's loopback, as the
// real agent dials the sandbox's): the bearer token, a signed URL and its cookie, forged, expired and
// mis-scoped tokens, the host's credentials kept from the sandbox, the caps, and a closed port.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { agentApp, TOKEN_A, TOKEN_B } from './testing/agent-app.js';

let t: Awaited<ReturnType<typeof agentApp>>;
let upstream: Server;
let port: number;
const seen: Array<{ url: string; headers: Record<string, unknown>; body: string }> = [];

beforeEach(async () => {
  t = await agentApp({ ...defaultPolicy(2), maxPortConnectionsPerSandbox: 2 });
  seen.length = 0;
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/slow') return; // never answers: holds its connection
      res.setHeader('x-upstream', 'yes');
      res.end(`you asked ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  port = (upstream.address() as { port: number }).port;
});
afterEach(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  await t.close();
});

const preview = (id: string, rest = '/') => `/v1/sandboxes/${id}/ports/${port}${rest}`;

describe('preview ports', () => {
  it('proxies any method with the bearer token, and keeps the host credentials from the sandbox', async () => {
    const box = await t.provision();
    const got = await t.call('GET', preview(box.id, '/a/b?x=1'), {
      headers: { cookie: 'sbx_session=secret; app=1', 'x-mine': 'kept' },
    });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('you asked GET /a/b?x=1');
    expect(got.headers.get('x-upstream')).toBe('yes');
    const posted = await t.call('POST', preview(box.id, '/form'), {
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await posted.text()).toBe('you asked POST /form');
    const [first, second] = seen;
    expect(first?.headers.authorization).toBeUndefined();
    expect(first?.headers.cookie).toBe('app=1');
    expect(first?.headers['x-mine']).toBe('kept');
    expect(first?.headers.host).toBe(`localhost:${port}`);
    expect(second?.body).toBe('a=1');
  });

  it('signs a URL whose token becomes a cookie of that path; the session cookie alone opens nothing', async () => {
    const box = await t.provision();
    const signed = await t.json('POST', `/v1/sandboxes/${box.id}/ports/${port}/url`, { ttlSeconds: 60 });
    expect(signed.status).toBe(200);
    const { url, expiresAt } = (await signed.json()) as { url: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(61_000);
    const first = await t.app.request(url);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(preview(box.id, '/'));
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(`Path=/v1/sandboxes/${box.id}/ports/${port}`);
    expect(setCookie).toContain('HttpOnly');
    const cookie = setCookie.split(';')[0] as string;
    const page = await t.app.request(`http://127.0.0.1${preview(box.id, '/app.js')}`, {
      headers: { cookie },
    });
    expect(page.status).toBe(200);
    expect(seen.at(-1)?.headers.cookie).toBeUndefined();

    const session = t.sessions.issueLoginCode('a');
    expect(session).toBeTruthy();
    const noToken = await t.app.request(`http://127.0.0.1${preview(box.id)}`, {
      headers: { cookie: 'sbx_session=whatever' },
    });
    expect(noToken.status).toBe(401);
  });

  it('refuses forged, expired, other-port, other-sandbox and oversized tokens with 401', async () => {
    const box = await t.provision();
    const other = await t.provision();
    const { url } = (await (
      await t.json('POST', `/v1/sandboxes/${box.id}/ports/${port}/url`, {})
    ).json()) as {
      url: string;
    };
    const token = new URL(url).searchParams.get('sbx_preview') as string;
    const [expiry, tenant, mac] = token.split('.') as [string, string, string];
    const flip = (s: string) => `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    const attempts = [
      `${expiry}.${tenant}.${flip(mac)}`,
      `${Number(expiry) + 1}.${tenant}.${mac}`,
      `${expiry}.b.${mac}`,
      'x'.repeat(300),
    ];
    for (const bad of attempts) {
      const r = await t.app.request(`http://127.0.0.1${preview(box.id)}`, {
        headers: { cookie: `sbx_preview=${bad}` },
      });
      expect(r.status, bad.slice(0, 20)).toBe(401);
    }
    const otherPort = await t.app.request(`http://127.0.0.1/v1/sandboxes/${box.id}/ports/${port + 1}/`, {
      headers: { cookie: `sbx_preview=${token}` },
    });
    expect(otherPort.status).toBe(401);
    const otherBox = await t.app.request(`http://127.0.0.1${preview(other.id)}`, {
      headers: { cookie: `sbx_preview=${token}` },
    });
    expect(otherBox.status).toBe(401);
    t.setNow(Number(expiry) + 1);
    const expired = await t.app.request(`http://127.0.0.1${preview(box.id)}`, {
      headers: { cookie: `sbx_preview=${token}` },
    });
    expect(expired.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('another tenant cannot preview or sign a URL for a sandbox that is not theirs', async () => {
    const box = await t.provision();
    expect((await t.call('GET', preview(box.id), { token: TOKEN_B })).status).toBe(404);
    expect((await t.json('POST', `/v1/sandboxes/${box.id}/ports/${port}/url`, {}, TOKEN_B)).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('answers 502 PORT_CLOSED when nothing listens, 409 without the agent, 400 for a bad port', async () => {
    const box = await t.provision();
    upstream.close();
    const closed = await t.call('GET', preview(box.id));
    expect(closed.status).toBe(502);
    expect(((await closed.json()) as { error: { code: string } }).error.code).toBe('PORT_CLOSED');
    const bare = await t.provision('a', { agent: false });
    const none = await t.call('GET', preview(bare.id));
    expect(none.status).toBe(409);
    expect((await t.call('GET', `/v1/sandboxes/${box.id}/ports/70000/`)).status).toBe(400);
  });

  it('holds the connections per sandbox under the cap and frees a slot when a request ends', async () => {
    const box = await t.provision();
    const stops = [new AbortController(), new AbortController()];
    const held = stops.map((s) =>
      Promise.resolve(t.call('GET', preview(box.id, '/slow'), { signal: s.signal })).catch(() => undefined),
    );
    await until(() => seen.filter((s) => s.url === '/slow').length === 2);
    const refused = await t.call('GET', preview(box.id));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    for (const s of stops) s.abort();
    await Promise.all(held);
    await until(async () => (await t.call('GET', preview(box.id))).status === 200);
  });

  it('redirects the bare port path to its slash, so relative links resolve', async () => {
    const box = await t.provision();
    const r = await t.call('GET', `/v1/sandboxes/${box.id}/ports/${port}?q=1`);
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toBe(`/v1/sandboxes/${box.id}/ports/${port}/?q=1`);
    expect(TOKEN_A).toBeTruthy();
  });
});

async function until(check: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
