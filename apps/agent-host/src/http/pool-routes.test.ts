import type { ProvisionContext } from '@sbx/timing';
import { describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import { createApp } from './create-app.js';
import { jsonRequest } from './testing/test-app.js';

async function setup() {
  let next = 0;
  const provision = async (_spec: never, ctx: ProvisionContext) =>
    ctx.phase('create', async () => ({
      id: `box-${++next}`,
      type: 'docker' as const,
      exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
      dispose: async () => {},
    }));
  const { db, kpis, perf, host, config } = await createTestHost({
    adapters: { docker: { type: 'docker', provision } },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const app = createApp({ kpis, perf, host, config });
  const json = jsonRequest(app);
  host.startPools([{ name: 'py', type: 'docker', size: 2, spec: { image: 'img' } }]);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  return { db, kpis, host, json };
}

describe('warm pools over HTTP', () => {
  it('POST /v1/sandboxes {"pool"} hands out a ready member with Server-Timing, one KPI row of source pool', async () => {
    const { db, kpis, json } = await setup();
    const res = await json('POST', '/v1/sandboxes', { pool: 'py' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ id: 'box-1', source: 'pool', pool: 'py', result: { status: 'ok' } });
    expect(body.phases.map((p: { name: string }) => p.name)).toEqual(['acquire']);
    expect(res.headers.get('server-timing')).toMatch(/^acquire;dur=\d+\.\d{3}, total;dur=\d+\.\d{3}$/);
    const rows = await kpis.listRecent({ source: 'pool' });
    expect(rows.map((r) => [r.source, r.tenant, r.phases.map((p) => p.name)])).toEqual([
      ['pool', 'default', ['acquire']],
    ]);
    // The handed-out sandbox is the caller's like any other, listed with the pool it came from (`sbx ls`).
    expect((await (await json('GET', '/v1/sandboxes')).json()).sandboxes).toMatchObject([
      { id: 'box-1', type: 'docker', pool: 'py' },
    ]);
    await db.destroy();
  });

  it('GET /v1/pools lists size, ready, refills, hits, misses and refill p50/p95', async () => {
    const { db, json } = await setup();
    await json('POST', '/v1/sandboxes', { pool: 'py' });
    await json('POST', '/v1/sandboxes', { pool: 'py' });
    await json('POST', '/v1/sandboxes', { pool: 'py' });
    const { pools } = await (await json('GET', '/v1/pools')).json();
    expect(pools).toEqual([
      expect.objectContaining({ name: 'py', type: 'docker', size: 2, hits: 2, misses: 1, refilling: 0 }),
    ]);
    expect(pools[0].refillP50Ms).toBeTypeOf('number');
    expect(pools[0].refillP95Ms).toBeTypeOf('number');
    await db.destroy();
  });

  it('answers 404 for an unknown pool and 400 for extra fields, writing no KPI row', async () => {
    const { db, kpis, json } = await setup();
    const before = await kpis.count();
    const unknown = await json('POST', '/v1/sandboxes', { pool: 'js' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: 'POOL_NOT_FOUND', message: 'no pool "js": this host has py' },
    });
    const extra = await json('POST', '/v1/sandboxes', { pool: 'py', image: 'other' });
    expect(extra.status).toBe(400);
    expect((await extra.json()).error.message).toMatch(/Unrecognized key/);
    expect(await kpis.count()).toBe(before);
    await db.destroy();
  });

  it('keeps refills out of the verdict in GET /v1/kpis but shows each source', async () => {
    const { db, json } = await setup();
    await json('POST', '/v1/sandboxes', { pool: 'py' });
    const { types } = await (await json('GET', '/v1/kpis')).json();
    expect(types.docker.last100.n).toBe(1);
    expect(types.docker.bySource.pool.n).toBe(1);
    expect(types.docker.bySource.refill.n).toBeGreaterThanOrEqual(2);
    expect(types.docker.bySource.cold.n).toBe(0);
    await db.destroy();
  });
});
