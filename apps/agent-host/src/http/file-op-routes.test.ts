// The file routes through the in-sandbox agent (bootstrap's fake agent, spoken to by the real client): stat,
// list to a depth, mkdir -p, move, remove, a streamed upload and download, a watch; the agent's refusals as
// the host's codes; tenancy; 409 without the agent; every call measured like a command.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { agentApp, TOKEN_B } from './testing/agent-app.js';

let t: Awaited<ReturnType<typeof agentApp>>;
const MIB = 1024 * 1024;

beforeEach(async () => {
  t = await agentApp({ ...defaultPolicy(2), maxFileBytes: 2 * MIB, maxWatchesPerTenant: 1 });
});
afterEach(async () => {
  await t.close();
});

const base = (id: string) => `/v1/sandboxes/${id}/files`;

describe('file routes through the agent', () => {
  it('mkdir -p, stat, list to a depth, move and remove', async () => {
    const box = await t.provision();
    let r = await t.json('POST', `${base(box.id)}/mkdir`, { path: '/work/a/b', mode: '750' });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ path: '/work/a/b', created: true });
    r = await t.json('POST', `${base(box.id)}/mkdir`, { path: '/work/a/b' });
    expect(await r.json()).toEqual({ path: '/work/a/b', created: false });
    expect((await t.call('PUT', `${base(box.id)}?path=/work/a/b/f.txt`, { body: 'hello' })).status).toBe(201);

    r = await t.call('GET', `${base(box.id)}/stat?path=/work/a/b/f.txt`);
    expect(await r.json()).toMatchObject({ name: 'f.txt', path: '/work/a/b/f.txt', type: 'file', size: 5 });
    r = await t.call('GET', `${base(box.id)}/list?path=/work&depth=3`);
    const listed = (await r.json()) as { entries: Array<{ path: string }>; truncated: boolean };
    expect(listed.entries.map((e) => e.path)).toEqual(['/work/a', '/work/a/b', '/work/a/b/f.txt']);
    r = await t.call('GET', `${base(box.id)}/list?path=/work`);
    expect(((await r.json()) as { entries: unknown[] }).entries).toHaveLength(1);

    r = await t.json('POST', `${base(box.id)}/move`, { from: '/work/a/b/f.txt', to: '/out/g.txt' });
    expect(r.status).toBe(200);
    expect((await t.call('GET', `${base(box.id)}?path=/out/g.txt`)).status).toBe(200);
    expect((await t.call('DELETE', `${base(box.id)}?path=/work`)).status).toBe(204);
    r = await t.call('GET', `${base(box.id)}/stat?path=/work/a`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FILE_NOT_FOUND');
  });

  it("answers the agent's refusals with the host's codes", async () => {
    const box = await t.provision();
    await t.call('PUT', `${base(box.id)}?path=/f`, { body: 'x' });
    const inTheWay = await t.json('POST', `${base(box.id)}/mkdir`, { path: '/f/sub' });
    expect(inTheWay.status).toBe(409);
    expect(((await inTheWay.json()) as { error: { code: string } }).error.code).toBe('NOT_A_DIRECTORY');
    const missing = await t.json('POST', `${base(box.id)}/move`, { from: '/nothing', to: '/x' });
    expect(missing.status).toBe(404);
    expect((await t.call('DELETE', `${base(box.id)}?path=/nothing`)).status).toBe(404);
  });

  it('refuses bad fields with a 400 naming them, before the agent is asked', async () => {
    const box = await t.provision();
    const before = t.fakes[0]?.requests.length;
    for (const [method, path, body] of [
      ['GET', `${base(box.id)}/stat?path=relative`, undefined],
      ['GET', `${base(box.id)}/list?path=/&depth=17`, undefined],
      ['GET', `${base(box.id)}/stat?path=/&user=${encodeURIComponent('root;rm')}`, undefined],
      ['POST', `${base(box.id)}/mkdir`, { path: '/x', mode: '999' }],
      ['POST', `${base(box.id)}/move`, { from: '/a' }],
    ] as const) {
      const r = body === undefined ? await t.call(method, path) : await t.json(method, path, body);
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    }
    expect(t.fakes[0]?.requests.length).toBe(before);
  });

  it("another tenant's sandbox is a 404 on every route, and nothing reaches its agent", async () => {
    const box = await t.provision();
    const asB = (method: string, path: string, body?: unknown) =>
      body === undefined ? t.call(method, path, { token: TOKEN_B }) : t.json(method, path, body, TOKEN_B);
    for (const [method, path, body] of [
      ['GET', `${base(box.id)}/stat?path=/`],
      ['GET', `${base(box.id)}/list?path=/`],
      ['POST', `${base(box.id)}/mkdir`, { path: '/x' }],
      ['POST', `${base(box.id)}/move`, { from: '/a', to: '/b' }],
      ['DELETE', `${base(box.id)}?path=/a`],
      ['GET', `${base(box.id)}/watch?path=/`],
      ['PUT', `${base(box.id)}?path=/a`],
    ] as Array<[string, string, unknown?]>) {
      expect((await asB(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect(t.fakes[0]?.requests).toEqual([]);
  });

  it('without the agent: mkdir, move, remove, watch and a deep list are 409 AGENT_UNAVAILABLE; stat falls back', async () => {
    const box = await t.provision('a', { agent: false });
    for (const r of [
      await t.json('POST', `${base(box.id)}/mkdir`, { path: '/x' }),
      await t.json('POST', `${base(box.id)}/move`, { from: '/a', to: '/b' }),
      await t.call('DELETE', `${base(box.id)}?path=/a`),
      await t.call('GET', `${base(box.id)}/watch?path=/`),
      await t.call('GET', `${base(box.id)}/list?path=/&depth=2`),
    ]) {
      expect(r.status).toBe(409);
      const { error } = (await r.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('AGENT_UNAVAILABLE');
      expect(error.message).toContain('runs without the in-sandbox agent');
    }
    expect((await t.call('GET', `${base(box.id)}/stat?path=/x`)).status).toBe(404);
    expect(t.archive.stat).toHaveBeenCalled();
  });

  it('streams an upload into the agent and refuses one past maxFileBytes, leaving the file untouched', async () => {
    const box = await t.provision();
    const data = new Uint8Array(MIB + 123).map((_, i) => i % 251);
    const put = await t.call('PUT', `${base(box.id)}?path=/big.bin`, {
      body: stream(data, 64 * 1024),
      duplex: 'half',
    } as never);
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ path: '/big.bin', bytes: data.length });
    const got = await t.call('GET', `${base(box.id)}?path=/big.bin`);
    expect(got.headers.get('content-length')).toBe(String(data.length));
    // Compared as one buffer: an element-wise diff of 1 MiB is slow.
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(data))).toBe(true);

    // No Content-Length: only the count of what arrives can stop it.
    const tooBig = await t.call('PUT', `${base(box.id)}?path=/big.bin`, {
      body: stream(new Uint8Array(3 * MIB), 64 * 1024),
      duplex: 'half',
    } as never);
    expect(tooBig.status).toBe(413);
    expect(
      (await (await t.call('GET', `${base(box.id)}/stat?path=/big.bin`)).json()) as object,
    ).toMatchObject({
      size: data.length,
    });
  });

  it('measures every file call with the perf monitor, like a command', async () => {
    const box = await t.provision();
    const before = (await t.host.perfMonitor.getReport()).count;
    await t.json('POST', `${base(box.id)}/mkdir`, { path: '/m' });
    await t.call('PUT', `${base(box.id)}?path=/m/f`, { body: 'x' });
    await (await t.call('GET', `${base(box.id)}?path=/m/f`)).arrayBuffer();
    await t.call('GET', `${base(box.id)}/stat?path=/m/f`);
    await t.call('DELETE', `${base(box.id)}?path=/m`);
    expect((await t.host.perfMonitor.getReport()).count - before).toBe(5);
  });

  it('streams watch events as NDJSON, caps watches per tenant, and ends the watch when the client goes', async () => {
    const box = await t.provision();
    await t.json('POST', `${base(box.id)}/mkdir`, { path: '/w' });
    const stop = new AbortController();
    const watch = await t.call('GET', `${base(box.id)}/watch?path=/w&recursive=1`, { signal: stop.signal });
    expect(watch.status).toBe(200);
    expect(watch.headers.get('content-type')).toBe('application/x-ndjson');
    const second = await t.call('GET', `${base(box.id)}/watch?path=/w`);
    expect(second.status).toBe(429);
    const reader = (watch.body as ReadableStream<Uint8Array>).getReader();
    await new Promise((r) => setTimeout(r, 50));
    await t.call('PUT', `${base(box.id)}?path=/w/new.txt`, { body: 'hi' });
    const { value } = await reader.read();
    expect(JSON.parse(new TextDecoder().decode(value).split('\n')[0] as string)).toMatchObject({
      path: '/w/new.txt',
    });
    const open = t.fakes[0]?.openConnections ?? 0;
    await reader.cancel();
    await until(() => (t.fakes[0]?.openConnections ?? 0) < open);
    // The slot is free again.
    const third = await t.call('GET', `${base(box.id)}/watch?path=/w`);
    expect(third.status).toBe(200);
    await third.body?.cancel();
  });
});

function stream(data: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(data.slice(at, at + chunk));
      at += chunk;
    },
  });
}

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
