import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { bodyRuleOf, E2B_FILES_PATH } from './body-limits.js';
import { type RunningServer, startServer } from './start-server.js';
import { securedApp, TOKEN_A } from './testing/secured-app.js';

const MAX_FILE = 2048;

/** Sends `size` bytes to the server, with a Content-Length or chunked (none), and reads the answer. */
function send(
  base: string,
  method: string,
  path: string,
  size: number,
  options: { chunked: boolean; token?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    // Named outright: node's client would not frame a DELETE's body by itself.
    headers[options.chunked ? 'transfer-encoding' : 'content-length'] = options.chunked
      ? 'chunked'
      : String(size);
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    // The server may close while the rest is still being written: that is the point.
    req.on('error', (error) => (/EPIPE|ECONNRESET/.test(String(error)) ? undefined : reject(error)));
    const chunk = Buffer.alloc(4096, 'x');
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk.subarray(0, size - sent));
    req.end();
  });
}

describe('every route has a body limit, checked before authentication', () => {
  let ctx: Awaited<ReturnType<typeof securedApp>>;
  let server: RunningServer;
  let routes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    ctx = await securedApp({ ...defaultPolicy(2), maxFileBytes: MAX_FILE });
    server = await startServer(ctx.app, { host: '127.0.0.1', port: 0 });
    const box = await ctx.app.request('http://127.0.0.1/v1/sandboxes', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN_A}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'docker', image: 'busybox' }),
    });
    const { id } = (await box.json()) as { id: string };
    // Every route the app has (middleware is `ALL`): a route added later is tested here too.
    const seen = new Set<string>();
    routes = ctx.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({
        method: r.method,
        path: r.path
          .replace(':id', id)
          .replace(/:[a-z]+/gi, 'x')
          .replace(/\*$/, 'x'),
      }))
      .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
  });
  afterAll(async () => {
    await server.close();
    await ctx.db.destroy();
  });

  it('knows the app has routes of every kind', () => {
    const methods = new Set(routes.map((r) => r.method));
    for (const m of ['GET', 'POST', 'PUT', 'DELETE']) expect(methods).toContain(m);
    expect(routes.some((r) => r.path === '/login' && r.method === 'POST')).toBe(true);
    expect(routes.length).toBeGreaterThan(20);
  });

  it('refuses a declared Content-Length over the limit with 413 on every route, with or without a token', async () => {
    ctx.tenantOf.mockClear();
    for (const { method, path } of routes) {
      const limit = bodyRuleOf(path, MAX_FILE, method).maxBytes;
      for (const token of [undefined, TOKEN_A]) {
        const res = await send(server.url, method, path, limit + 1, { chunked: false, token });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 413 });
        expect(JSON.parse(res.body).error).toEqual({
          code: 'BODY_TOO_LARGE',
          message: `request body over ${limit} bytes`,
        });
      }
    }
    // Refused before any token was looked at.
    expect(ctx.tenantOf).not.toHaveBeenCalled();
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit, on every route that reads a body', async () => {
    // GET and HEAD: the node adapter never hands a body to a route (it drains and drops it, bounded).
    // The E2B upload wants its sandbox's own headers and answers 401/502 without them before reading a byte;
    // its byte count is tested in e2b/control-plane.test.ts.
    const withBodies = routes.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD' && r.path !== E2B_FILES_PATH,
    );
    expect(withBodies.length).toBeGreaterThan(5);
    for (const { method, path } of withBodies) {
      const limit = bodyRuleOf(path, MAX_FILE, method).maxBytes;
      // A token so that the routes that stream (file uploads) count what they read themselves.
      // A valid query too (the files routes need `path`), so that nothing but the body is wrong.
      const query = `${path}?path=/tmp/x`;
      const res = await send(server.url, method, query, limit * 4, { chunked: true, token: TOKEN_A });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 413 });
      expect(JSON.parse(res.body).error.code).toMatch(/^(BODY|FILE)_TOO_LARGE$/);
    }
    expect(ctx.files.writeFile).not.toHaveBeenCalled();
  });

  it('reads a body over the limit no further than the limit before refusing it, before authentication', async () => {
    ctx.tenantOf.mockClear();
    const login = await send(server.url, 'POST', '/login', 10 * 1024 * 1024, { chunked: true });
    expect(login.status).toBe(413);
    const api = await send(server.url, 'POST', '/v1/sandboxes', 10 * 1024 * 1024, { chunked: true });
    expect(api.status).toBe(413);
    expect(ctx.tenantOf).not.toHaveBeenCalled();
  });

  it('still takes a body within the limit', async () => {
    const res = await ctx.app.request('http://127.0.0.1/v1/sandboxes', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN_A}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'docker', image: 'busybox', env: { PAD: 'x'.repeat(30_000) } }),
    });
    expect(res.status).not.toBe(413);
  });
});
