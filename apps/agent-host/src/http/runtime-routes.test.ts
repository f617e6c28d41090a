// Engine runtimes and egress through the HTTP API, on a real DockerAdapter over the fake engine: the policy
// decides what a caller may ask for, the engine what exists; every refusal is a 400 that records nothing.
import { FakeDocker } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { createApp } from './create-app.js';
import { jsonRequest } from './testing/test-app.js';

const silent = { warn: vi.fn(), error: vi.fn() };
const IMAGE = 'sbx-test/busybox:latest';

async function setup(policy: Partial<SandboxPolicy> = {}) {
  const docker = new FakeDocker([IMAGE]);
  docker.runtimes = {
    runc: { path: 'runc' },
    runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] },
  };
  // Wired as `sbx serve` wires it, on the docker adapter over the fake engine.
  const { host, kpis, perf, results, config, close } = await createTestHost({
    docker,
    policy,
    logger: silent,
  });
  const app = createApp({ kpis, perf, host, config });
  const request = jsonRequest(app);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request(method, path, body);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const create = (fields: Record<string, unknown>) =>
    call('POST', '/v1/sandboxes', { type: 'docker', image: IMAGE, pull: 'never', ...fields });
  return { call, create, docker, kpis, results, close };
}

describe('engine runtimes and egress over HTTP', () => {
  let ctx: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it("GET /v1/runtimes lists the engine's runtimes, the default first, with what the policy allows", async () => {
    ctx = await setup();
    expect(await ctx.call('GET', '/v1/runtimes')).toEqual({
      status: 200,
      body: {
        type: 'docker',
        default: 'runc',
        allowNetwork: false,
        runtimes: [
          { name: 'runc', default: true, allowed: true, egress: true },
          { name: 'runsc', default: false, allowed: false, egress: false },
        ],
      },
    });
    await ctx.close();
    ctx = await setup({ allowedRuntimes: ['runsc'], allowNetwork: true });
    const { body } = await ctx.call('GET', '/v1/runtimes');
    expect(body).toMatchObject({ allowNetwork: true, runtimes: [{ allowed: true }, { allowed: true }] });
  });

  it('a runtime the policy does not allow is 400 naming the allowed ones; nothing is created or recorded', async () => {
    ctx = await setup();
    const refused = await ctx.create({ runtime: 'runsc' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: {
        code: 'POLICY_LIMIT',
        message:
          'runtime: "runsc" is not allowed; allowed: runc (the engine\'s default) (sbx serve --allow-runtime NAME) (server policy)',
      },
    });
    expect(ctx.docker.containers).toHaveLength(0);
    expect(await ctx.kpis.count()).toBe(0);
  });

  it('an allowed runtime the engine lacks is 400 naming what the engine has', async () => {
    ctx = await setup({ allowedRuntimes: ['kata'] });
    const refused = await ctx.create({ runtime: 'kata' });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'RUNTIME_NOT_FOUND',
          message: 'runtime: the Docker engine has no runtime "kata"; it has runc, runsc',
        },
      },
    });
    expect(await ctx.kpis.count()).toBe(0);
  });

  it('an allowed runtime provisions on it; the listing and the result say its runtime and network', async () => {
    ctx = await setup({ allowedRuntimes: ['runsc'] });
    const created = await ctx.create({ runtime: 'runsc' });
    expect(created.status).toBe(201);
    expect(ctx.docker.containers[0]?.config.HostConfig).toMatchObject({
      Runtime: 'runsc',
      NetworkMode: 'none',
    });
    expect(ctx.results[0]?.attributes).toMatchObject({ runtime: 'runsc', network: 'none', source: 'cold' });
    await ctx.create({});
    expect(ctx.results[1]?.attributes).toMatchObject({ runtime: 'runc', network: 'none' });
    const { body } = await ctx.call('GET', '/v1/sandboxes');
    expect((body as { sandboxes: unknown[] }).sandboxes).toEqual([
      expect.objectContaining({ runtime: 'runsc', network: 'none' }),
      expect.objectContaining({ runtime: 'runc', network: 'none' }),
    ]);
  });

  it('egress needs --allow-network, and a runtime with networking', async () => {
    ctx = await setup({ allowedRuntimes: ['runsc'] });
    expect(await ctx.create({ network: 'egress' })).toMatchObject({
      status: 400,
      body: { error: { code: 'POLICY_LIMIT', message: expect.stringContaining('--allow-network') } },
    });
    await ctx.close();
    ctx = await setup({ allowedRuntimes: ['runsc'], allowNetwork: true });
    expect(await ctx.create({ network: 'egress', runtime: 'runsc' })).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_REQUEST',
          message: expect.stringMatching(/^network: runtime runsc is registered with --network=none/),
        },
      },
    });
    expect(await ctx.kpis.count()).toBe(0);
    const created = await ctx.create({ network: 'egress' });
    expect(created.status).toBe(201);
    expect(ctx.docker.containers[0]?.config.HostConfig).toMatchObject({ NetworkMode: 'bridge' });
    const { body } = await ctx.call('GET', '/v1/sandboxes');
    expect((body as { sandboxes: unknown[] }).sandboxes).toEqual([
      expect.objectContaining({ runtime: 'runc', network: 'egress' }),
    ]);
  });

  it('a gVisor sandbox with fewer pids than gVisor needs is a 400 naming the field and the floor', async () => {
    ctx = await setup({ allowedRuntimes: ['runsc', 'gvisor'] });
    ctx.docker.runtimes = { ...ctx.docker.runtimes, gvisor: { path: '/usr/local/bin/runsc' } };
    for (const runtime of ['runsc', 'gvisor']) {
      expect(await ctx.create({ runtime, resources: { pids: 128 } })).toMatchObject({
        status: 400,
        body: {
          error: {
            code: 'INVALID_REQUEST',
            message: expect.stringMatching(
              new RegExp(
                `^resources\\.pids: 128 is below 256, the fewest a sandbox on ${runtime} \\(gVisor\\)`,
              ),
            ),
          },
        },
      });
    }
    expect(await ctx.kpis.count()).toBe(0);
    expect((await ctx.create({ runtime: 'runc', resources: { pids: 128 } })).status).toBe(201);
    expect((await ctx.create({ runtime: 'runsc', resources: { pids: 256 } })).status).toBe(201);
  });

  it('a runtime name that is not one is a 400 from the schema', async () => {
    ctx = await setup();
    expect(await ctx.create({ runtime: '../runsc' })).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_REQUEST',
          message: expect.stringMatching(/^runtime: must be an engine runtime name/),
        },
      },
    });
  });
});
