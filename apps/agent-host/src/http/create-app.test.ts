import { BootstrapError, type SandboxHandle } from '@sbx/bootstrap';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { HostGoneEvent } from '../core/host-adapter.js';
import { createApp } from './create-app.js';
import { jsonRequest } from './testing/test-app.js';

const silent = { warn: vi.fn(), error: vi.fn() };

async function setup(options: { engineUp?: boolean } = {}) {
  const sandbox: SandboxHandle = {
    id: 'box-1',
    type: 'docker',
    exec: async (cmd) => ({ exitCode: 0, stdout: `ran ${[cmd].flat().join(' ')}`, stderr: '' }),
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  const docker = { provision: vi.fn(async (_spec, ctx) => ctx.phase('create', async () => sandbox)) };
  const gone: { fire?: (event: HostGoneEvent) => void } = {};
  const ping = vi.fn(async () => {
    if (options.engineUp === false) {
      throw new BootstrapError(
        'ENGINE_UNREACHABLE',
        'Docker engine not reachable at /tmp/nope.sock - start Docker or set DOCKER_HOST',
      );
    }
  });
  const { db, kpis, perf, host, config } = await createTestHost({
    adapters: {
      docker: {
        type: 'docker',
        ...docker,
        ping,
        watch: async (onGone) => {
          gone.fire = onGone;
        },
      },
    },
    logger: silent,
  });
  const app = createApp({ kpis, perf, host, config });
  const json = jsonRequest(app);
  return { app, db, kpis, perf, docker, json, host, gone };
}

describe('HTTP API', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => ctx.db.destroy());

  it('provisions, execs and deletes a sandbox, recording each step', async () => {
    const created = await ctx.json('POST', '/v1/sandboxes', {
      type: 'docker',
      image: 'busybox',
      cmd: 'sleep 60',
    });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({
      id: 'box-1',
      result: { sandboxType: 'docker', status: 'ok' },
      phases: [{ name: 'create' }],
    });
    expect(ctx.docker.provision.mock.calls[0]?.[0]).toMatchObject({ image: 'busybox', cmd: ['sleep', '60'] });

    const exec = await ctx.json('POST', '/v1/sandboxes/box-1/exec', { cmd: ['echo', 'hi'] });
    expect(exec.status).toBe(200);
    expect(await exec.json()).toMatchObject({
      exitCode: 0,
      stdout: 'ran echo hi',
      outcome: 'success',
      alertFired: false,
    });

    expect((await ctx.json('DELETE', '/v1/sandboxes/box-1')).status).toBe(204);
    expect((await ctx.json('DELETE', '/v1/sandboxes/box-1')).status).toBe(404);
    expect(await ctx.kpis.count('docker')).toBe(1);
    expect((await ctx.perf.getReport()).count).toBe(1);
  });

  it.each([
    [{ image: 'busybox' }, 'type'],
    [{ type: 'docker' }, 'image'],
    [{ type: 'docker', image: 'busybox', deadlineMs: -1 }, 'deadlineMs'],
    [{ type: 'docker', image: 'busybox', env: { 'BAD-NAME': 'x' } }, 'env'],
    [{ type: 'docker', image: 'busybox', surprise: true }, '(body)'],
  ])('answers 400 naming the field for %j and writes nothing', async (payload, field) => {
    const res = await ctx.json('POST', '/v1/sandboxes', payload);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.issues.map((i: { path: string }) => i.path).join(' ')).toContain(field);
    expect(ctx.docker.provision).not.toHaveBeenCalled();
    expect(await ctx.kpis.count()).toBe(0);
  });

  it('answers 400 for malformed JSON and for a bad readiness probe', async () => {
    const malformed = await ctx.json('POST', '/v1/sandboxes', '{"type": "docker",');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('INVALID_REQUEST');
    const probe = await ctx.json('POST', '/v1/sandboxes', {
      type: 'docker',
      image: 'busybox',
      ready: 'smoke:signals',
    });
    expect(probe.status).toBe(400);
    expect((await probe.json()).error).toMatchObject({ code: 'INVALID_REQUEST', message: /^ready: / });
    expect(await ctx.kpis.count()).toBe(0);
  });

  it('answers 404 for unknown sandboxes and routes', async () => {
    expect((await ctx.json('POST', '/v1/sandboxes/ghost/exec', { cmd: 'true' })).status).toBe(404);
    expect((await ctx.json('GET', '/v1/nothing')).status).toBe(404);
  });

  it('answers 503 with the engine address when Docker is unreachable, and records nothing', async () => {
    const down = await setup({ engineUp: false });
    const res = await down.json('POST', '/v1/sandboxes', { type: 'docker', image: 'busybox' });
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toContain('/tmp/nope.sock');
    expect(await down.kpis.count()).toBe(0);
    const health = await (await down.json('GET', '/healthz')).json();
    expect(health).toEqual({
      status: 'ok',
      engine: 'unreachable',
      store: { status: 'ok', spooled: 0, oldestAgeSeconds: 0 },
      liveSandboxes: 0,
    });
    await down.db.destroy();
  });

  it('lists recent provisions with their phases, newest first, and validates the query', async () => {
    await ctx.json('POST', '/v1/sandboxes', { type: 'docker', image: 'busybox' });
    const list = await (await ctx.json('GET', '/v1/provisions?type=docker&limit=5')).json();
    expect(list.rows).toHaveLength(1);
    expect(list.rows[0]).toMatchObject({ sandboxType: 'docker', status: 'ok', phases: [{ name: 'create' }] });
    expect((await ctx.json('GET', '/v1/provisions?limit=0')).status).toBe(400);
    expect((await ctx.json('GET', '/v1/provisions?type=vm')).status).toBe(400);
  });

  it('serves per-type KPIs and the perf report', async () => {
    await ctx.json('POST', '/v1/sandboxes', { type: 'docker', image: 'busybox' });
    const kpis = await (await ctx.json('GET', '/v1/kpis')).json();
    expect(kpis.types.docker).toMatchObject({ slaLimitMs: 30_000, sla: 'met', last100: { n: 1 } });
    expect(kpis.types.webcontainer).toMatchObject({ slaLimitMs: 10_000, sla: 'no-data', last100: { n: 0 } });
    const perf = await (await ctx.json('GET', '/v1/perf/report')).json();
    expect(perf).toMatchObject({ count: 0, alertCount: 0 });
  });

  it('answers 410 SANDBOX_GONE for a sandbox the engine removed, and /healthz counts only live ones', async () => {
    const { id } = await (
      await ctx.json('POST', '/v1/sandboxes', { type: 'docker', image: 'busybox' })
    ).json();
    expect((await (await ctx.json('GET', '/healthz')).json()).liveSandboxes).toBe(1);
    await ctx.host.watch();
    ctx.gone.fire?.({ sandboxId: id, reason: 'removed' }); // the engine's destroy event
    expect((await (await ctx.json('GET', '/healthz')).json()).liveSandboxes).toBe(0);
    const exec = await ctx.json('POST', `/v1/sandboxes/${id}/exec`, { cmd: 'true' });
    expect(exec.status).toBe(410);
    expect((await exec.json()).error).toMatchObject({
      code: 'SANDBOX_GONE',
      message: `sandbox ${id} is gone (removed)`,
    });
    expect((await ctx.json('DELETE', `/v1/sandboxes/${id}`)).status).toBe(410);
    await ctx.host.close({ timeoutMs: 100 });
    expect(await (await ctx.json('GET', '/healthz')).json()).toMatchObject({
      status: 'closing',
      liveSandboxes: 0,
    });
    const refused = await ctx.json('POST', '/v1/sandboxes', { type: 'docker', image: 'busybox' });
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('HOST_CLOSING');
  });

  it('refuses a type the host does not provision itself, saying where it is provisioned', async () => {
    const res = await ctx.json('POST', '/v1/sandboxes', { type: 'webcontainer' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'INVALID_REQUEST', message: /browser page/ });
    const vm = await ctx.json('POST', '/v1/sandboxes', { type: 'vm', image: 'x' });
    expect((await vm.json()).error.message).toBe(`type: must be one of 'docker', got "vm"`);
    const image = await ctx.json('POST', '/v1/sandboxes', { type: 'docker', image: 'a//b' });
    expect(image.status).toBe(400);
    expect((await image.json()).error.code).toBe('INVALID_IMAGE');
    const ttl = await ctx.json('POST', '/v1/sandboxes', { type: 'docker', image: 'busybox', ttlMs: 9e15 });
    expect((await ttl.json()).error.issues[0]).toMatchObject({ path: 'ttlMs', message: /one week/ });
    expect(await ctx.kpis.count()).toBe(0);
  });
});
