// Engine runtimes and egress through the HTTP API, on a real DockerAdapter over the fake engine: the policy
// decides what a caller may ask for, the engine what exists; every refusal is a 400 that records nothing.
import { DockerAdapter } from '@sbx/bootstrap';
import { FakeDocker } from '@sbx/bootstrap/testing';
import { openDatabase, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SandboxHost } from '../core/sandbox-host.js';
import { defaultPolicy, type SandboxPolicy } from '../core/sandbox-policy.js';
import { createApp } from './create-app.js';
import { jsonRequest, testConfig } from './testing/test-app.js';

const silent = { warn: vi.fn(), error: vi.fn() };
const IMAGE = 'sbx-test/busybox:latest';

async function setup(policy: Partial<SandboxPolicy> = {}) {
  const db = await openDatabase(':memory:');
  const kpis = new SandboxProvisioningKPI(db);
  const results: ProvisionResult[] = [];
  const recorder = {
    record: async (r: ProvisionResult) => {
      results.push(r);
      await kpis.record(r);
    },
  };
  const docker = new FakeDocker([IMAGE]);
  docker.runtimes = {
    runc: { path: 'runc' },
    runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] },
  };
  const adapter = new DockerAdapter({ docker, owner: 'test:1', logger: silent });
  const host = new SandboxHost({
    recorder,
    sink: new SandboxPerfRecordRepository(db),
    adapters: { docker: adapter },
    logger: silent,
  });
  const config = testConfig({ ...defaultPolicy(2), ...policy });
  const app = createApp({ kpis, perf: new SandboxPerfRecordRepository(db), host, config });
  const request = jsonRequest(app);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request(method, path, body);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const create = (fields: Record<string, unknown>) =>
    call('POST', '/v1/sandboxes', { type: 'docker', image: IMAGE, pull: 'never', ...fields });
  const close = async () => {
    await host.close();
    await db.destroy();
  };
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
