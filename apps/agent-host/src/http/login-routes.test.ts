import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { securedApp, TOKEN_A, TOKEN_B } from './testing/secured-app.js';

const BASE = 'http://127.0.0.1:7070';
/** What the node adapter hands the app: the client's address. */
const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('signing in', () => {
  let ctx: Awaited<ReturnType<typeof securedApp>>;
  beforeEach(async () => {
    ctx = await securedApp({ ...defaultPolicy(2), authFailuresPerMinute: 5 });
  });
  afterEach(async () => ctx.db.destroy());

  const login = (token: string, headers: Record<string, string> = {}, address = '10.0.0.1') =>
    ctx.app.request(
      `${BASE}/login`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ token }).toString(),
      },
      from(address),
    );
  const api = (token: string, address = '10.0.0.1') =>
    ctx.app.request(`${BASE}/v1/sandboxes`, { headers: { authorization: `Bearer ${token}` } }, from(address));

  it.each([
    [{ origin: 'https://evil.example' }],
    [{ origin: 'http://127.0.0.1:7071' }],
    [{ origin: 'null' }],
    [{ 'sec-fetch-site': 'cross-site' }],
    [{ 'sec-fetch-site': 'same-site' }],
    [{ origin: BASE, 'sec-fetch-site': 'cross-site' }],
  ])('refuses a sign-in posted from another origin (%j) with 403 and no session', async (headers) => {
    const res = await login(TOKEN_A, headers);
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await res.json()).error.code).toBe('CROSS_ORIGIN');
    expect(ctx.sessions.countOf('a')).toBe(0);
  });

  it('signs in from its own page, or from a client that is no browser', async () => {
    const sameOrigin: Record<string, string> = { origin: BASE, 'sec-fetch-site': 'same-origin' };
    for (const headers of [sameOrigin, {}]) {
      const res = await login(TOKEN_A, headers);
      expect(res.status).toBe(303);
      expect(res.headers.get('set-cookie')).toMatch(/^sbx_session=/);
    }
    expect(ctx.sessions.countOf('a')).toBe(2);
  });

  it('refuses a login URL opened from another site, and leaves its code unspent', async () => {
    const code = ctx.sessions.issueLoginCode('a');
    const url = `${BASE}/login?code=${code}`;
    const cross = await ctx.app.request(
      url,
      { headers: { 'sec-fetch-site': 'cross-site' } },
      from('10.0.0.1'),
    );
    expect(cross.status).toBe(403);
    const typed = await ctx.app.request(url, { headers: { 'sec-fetch-site': 'none' } }, from('10.0.0.1'));
    expect(typed.status).toBe(303);
  });

  it("one tenant's thousand logins leave another tenant's session signed in", async () => {
    const bob = (await login(TOKEN_B)).headers.get('set-cookie')?.split(';')[0] as string;
    for (let i = 0; i < 1_000; i++) ctx.sessions.open('a');
    const res = await ctx.app.request(`${BASE}/v1/sandboxes`, { headers: { cookie: bob } }, from('10.0.0.1'));
    expect(res.status).toBe(200);
  });

  it('answers 429 with Retry-After to an address whose guesses keep failing (form, bearer, cookie), not to others', async () => {
    for (let i = 0; i < 2; i++) expect((await login(`wrong-token-${i}-0123456789`)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await api(`wrong-token-${i}-0123456789`)).status).toBe(401);
    const cookie = await ctx.app.request(
      `${BASE}/v1/sandboxes`,
      { headers: { cookie: 'sbx_session=guessed' } },
      from('10.0.0.1'),
    );
    expect(cookie.status).toBe(401);
    ctx.tenantOf.mockClear();
    for (const res of [await login(TOKEN_A), await api(TOKEN_A), await api('wrong-token-x-0123456789')]) {
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await res.json()).error.code).toBe('RATE_LIMITED');
    }
    // Refused before any token was checked: the guess taught nothing.
    expect(ctx.tenantOf).not.toHaveBeenCalled();
    expect((await api(TOKEN_A, '10.0.0.2')).status).toBe(200);
    expect((await login(TOKEN_A, {}, '10.0.0.2')).status).toBe(303);
  });

  it('does not count requests without any token, nor successful ones', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await ctx.app.request(`${BASE}/v1/sandboxes`, {}, from('10.0.0.3'))).status).toBe(401);
      expect((await api(TOKEN_A, '10.0.0.3')).status).toBe(200);
    }
  });
});
