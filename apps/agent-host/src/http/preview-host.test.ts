// The E2B SDK's preview names (`getHost(port)` is `PORT-SANDBOXID.DOMAIN`) routed by the Host header to the
// sandbox's preview port through the fake agent (a real server on loopback): bearer token, signed URL and its
// cookie at the name's root, other tenants and bad names refused, other hosts untouched, nothing without a domain.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { isUnderDomain, parsePreviewLabel } from './preview-host.js';
import { agentApp, TOKEN_A, TOKEN_B } from './testing/agent-app.js';

const DOMAIN = 'sbx.example.test';
let t: Awaited<ReturnType<typeof agentApp>>;
let upstream: Server;
let port: number;
const seen: Array<{
  url: string;
  host: string | undefined;
  auth: string | undefined;
  access: string | undefined;
  body: string;
}> = [];

beforeEach(async () => {
  t = await agentApp(defaultPolicy(2), { e2bDomain: DOMAIN });
  seen.length = 0;
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        host: req.headers.host,
        auth: req.headers.authorization,
        access: req.headers['x-access-token'] as string | undefined,
        body,
      });
      if (req.url === '/moved') res.writeHead(302, { location: '/elsewhere' });
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

/** A request to `path` with `Host: host` (and tenant a's bearer token unless `token` is null). */
const at = (host: string, path: string, init: RequestInit & { token?: string | null } = {}) => {
  const { token = TOKEN_A, headers, ...rest } = init;
  return t.app.request(`http://127.0.0.1${path}`, {
    ...rest,
    headers: {
      host,
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(headers as Record<string, string>),
    },
  });
};

describe('PORT-ID.DOMAIN preview names', () => {
  it("proxies any method and path to the sandbox's port with the bearer token (host credentials kept back)", async () => {
    const box = await t.provision();
    const name = `${port}-${box.id}.${DOMAIN}`;
    const got = await at(`${name}:443`, '/a/b?x=1');
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('you asked GET /a/b?x=1');
    const posted = await at(name.toUpperCase(), '/form', {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await posted.text()).toBe('you asked POST /form');
    expect(seen.map((s) => [s.host, s.auth, s.body])).toEqual([
      [`localhost:${port}`, undefined, ''],
      [`localhost:${port}`, undefined, 'a=1'],
    ]);
    // The upstream's own redirects stay its own (not turned into host paths).
    const moved = await at(name, '/moved');
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/elsewhere');
  });

  it("opens with a signed preview URL whose cookie and redirect are the name's root", async () => {
    const box = await t.provision();
    const name = `${port}-${box.id}.${DOMAIN}`;
    const signed = await t.json('POST', `/v1/sandboxes/${box.id}/ports/${port}/url`, {});
    const token = new URL(((await signed.json()) as { url: string }).url).searchParams.get('sbx_preview');
    const first = await at(name, `/page?q=2&sbx_preview=${token}`, { token: null });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/page?q=2');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/; Path=\/(;|$)/);
    expect(setCookie).toContain('HttpOnly');
    const page = await at(name, '/page?q=2', {
      token: null,
      headers: { cookie: setCookie.split(';')[0] as string },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('you asked GET /page?q=2');
    // The token opens its own port and sandbox only; none at all is 401.
    const other = await t.provision();
    const cookie = setCookie.split(';')[0] as string;
    for (const wrong of [`${port + 1}-${box.id}.${DOMAIN}`, `${port}-${other.id}.${DOMAIN}`]) {
      expect((await at(wrong, '/', { token: null, headers: { cookie } })).status, wrong).toBe(401);
    }
    expect((await at(name, '/', { token: null })).status).toBe(401);
  });

  it("refuses another tenant's sandbox, an unknown one and malformed names with a clear 4xx", async () => {
    const box = await t.provision();
    expect((await at(`${port}-${box.id}.${DOMAIN}`, '/', { token: TOKEN_B })).status).toBe(404);
    const unknown = await at(`${port}-sbx-0000.${DOMAIN}`, '/');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('sbx-0000');
    for (const label of [
      '0-box-1',
      '65536-box-1',
      '99999-box-1',
      'box-1',
      '3000-',
      '3000-a_b',
      'x'.repeat(300),
    ]) {
      const r = await at(`${label}.${DOMAIN}`, '/');
      expect(r.status, label).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(seen).toEqual([]);
  });

  it('leaves other hosts untouched: loopback routes as before, deeper names and other domains refused', async () => {
    expect((await at('127.0.0.1', '/healthz')).status).toBe(200);
    expect((await at('127.0.0.1', '/a')).status).toBe(404);
    expect((await at(DOMAIN, '/healthz')).status).toBe(421);
    expect((await at(`a.${port}-box-1.${DOMAIN}`, '/healthz')).status).toBe(421);
    expect((await at(`${port}-box-1.other.test`, '/healthz')).status).toBe(421);
  });

  it('is off without a domain: the name is a host like any other (421)', async () => {
    const plain = await agentApp();
    try {
      const box = await plain.provision();
      const r = await plain.app.request('http://127.0.0.1/', {
        headers: { host: `${port}-${box.id}.${DOMAIN}`, authorization: `Bearer ${TOKEN_A}` },
      });
      expect(r.status).toBe(421);
    } finally {
      await plain.close();
    }
  });
});

describe("an E2B sandbox's X-Access-Token", () => {
  it('opens its own ports only, is not passed to the sandbox, and a wrong one is 401', async () => {
    // The fake engine has the template `base` built (the door creates sandboxes of templates only).
    const adapter = t.host.adapter('docker') as unknown as { listTemplates?: () => Promise<unknown[]> };
    adapter.listTemplates = async () => [
      { name: 'base', hash: undefined, image: 'sbx-template/base:latest', sizeBytes: 0, createdAt: '' },
    ];
    const create = () =>
      t.app.request('http://127.0.0.1/e2b/api/sandboxes', {
        method: 'POST',
        headers: { 'x-api-key': TOKEN_A, 'content-type': 'application/json' },
        body: JSON.stringify({ templateID: 'base' }),
      });
    const made = await create();
    expect(made.status).toBe(201);
    const a = (await made.json()) as { sandboxID: string; envdAccessToken: string };
    const b = (await (await create()).json()) as { sandboxID: string; envdAccessToken: string };
    const name = `${port}-${a.sandboxID}.${DOMAIN}`;
    const ok = await at(name, '/x', { token: null, headers: { 'x-access-token': a.envdAccessToken } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('you asked GET /x');
    const byPath = await at('127.0.0.1', `/v1/sandboxes/${a.sandboxID}/ports/${port}/y`, {
      token: null,
      headers: { 'x-access-token': a.envdAccessToken },
    });
    expect(byPath.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/x', '/y']);
    expect(seen.map((s) => [s.auth, s.access])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
    for (const wrong of [b.envdAccessToken, `${a.envdAccessToken}x`, '']) {
      const r = await at(name, '/', { token: null, headers: { 'x-access-token': wrong } });
      expect(r.status, wrong).toBe(401);
    }
    expect(seen).toHaveLength(2);
  });
});

describe('preview name parsing', () => {
  it('takes one label under the domain, a port from 1 to 65535 and a lower-case id', () => {
    expect(isUnderDomain(`3000-a.${DOMAIN}`, DOMAIN)).toBe(true);
    expect(isUnderDomain(`x.3000-a.${DOMAIN}`, DOMAIN)).toBe(false);
    expect(isUnderDomain(`.${DOMAIN}`, DOMAIN)).toBe(false);
    expect(isUnderDomain(`3000-a.evil${DOMAIN}`, DOMAIN)).toBe(false);
    expect(parsePreviewLabel('3000-sbx-1a2b')).toEqual({ port: 3000, id: 'sbx-1a2b' });
    expect(parsePreviewLabel('65535-a')).toEqual({ port: 65_535, id: 'a' });
    expect(parsePreviewLabel('65536-a')).toHaveProperty('error');
    expect(parsePreviewLabel('123456-a')).toHaveProperty('error');
  });
});
