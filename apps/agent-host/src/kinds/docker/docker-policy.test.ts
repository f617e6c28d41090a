// A caller may ask for less than the server's policy, never more: every field of a docker body that could loosen
// it is refused with 400 before the engine is asked for anything, and a stricter ask is kept. Over HTTP, on a
// real DockerAdapter over the fake engine.
import { FakeDocker } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../../compose/testing/create-test-host.js';
import type { SandboxPolicy } from '../../core/sandbox-policy.js';
import { createApp } from '../../http/create-app.js';
import { jsonRequest } from '../../http/testing/test-app.js';

const IMAGE = 'sbx-test/busybox:latest';
const silent = { warn: vi.fn(), error: vi.fn() };

async function setup(policy: Partial<SandboxPolicy> = {}) {
  const docker = new FakeDocker([IMAGE]);
  docker.runtimes = { runc: { path: 'runc' }, runsc: { path: '/usr/bin/runsc' } };
  // Wired as `sbx serve` wires it, on the docker adapter over the fake engine.
  const { kpis, perf, host, config, close } = await createTestHost({ docker, policy, logger: silent });
  const app = createApp({ kpis, perf, host, config });
  const request = jsonRequest(app);
  const create = async (fields: Record<string, unknown>) => {
    const response = await request('POST', '/v1/sandboxes', { type: 'docker', image: IMAGE, ...fields });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { code: string; message: string } },
    };
  };
  // What the engine was asked beyond reading its runtimes (ping, info): a refusal before the engine asks it nothing.
  const engineWork = () => docker.calls.filter((c) => c !== 'info' && c !== 'ping');
  return { create, docker, kpis, engineWork, close };
}

describe('a caller asks for more than the policy', () => {
  let ctx: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it.each([
    [
      'readOnlyRootfs',
      { readOnlyRootfs: false },
      /^readOnlyRootfs: must be true or left out.*--no-read-only-rootfs/,
    ],
    ['resources.cpus', { resources: { cpus: 2.5 } }, /^resources\.cpus: must be from 0\.01 to 2/],
    ['resources.memoryBytes', { resources: { memoryBytes: 8 * 1024 ** 3 } }, /^resources\.memoryBytes: /],
    ['resources.pids', { resources: { pids: 4096 } }, /^resources\.pids: must be from 1 to 1024/],
    ['ttlMs', { ttlMs: 7 * 24 * 3_600_000 }, /^ttlMs: must be at most 3600000/],
    ['runtime', { runtime: 'runsc' }, /^runtime: "runsc" is not allowed/],
    ['network', { network: 'egress' }, /^network: "egress" is not allowed.*--allow-network/],
    ['pull', { pull: 'always' }, /^pull: "always" would pull from registry default, which is not allowed/],
    ['pull', { pull: 'missing' }, /^pull: "missing" would pull .*--allow-registry default/],
  ])(
    '%s: %j is 400 POLICY_LIMIT; the engine is asked nothing and nothing is recorded',
    async (_field, extra, why) => {
      ctx = await setup({ maxTtlMs: 3_600_000 });
      const refused = await ctx.create(extra);
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe('POLICY_LIMIT');
      expect(refused.body.error?.message).toMatch(why);
      expect(ctx.engineWork()).toEqual([]);
      expect(await ctx.kpis.count()).toBe(0);
    },
  );

  it.each([
    ['tmpfsBytes', { tmpfsBytes: 1e12 }],
    ['privileged', { privileged: true }],
    ['hostConfig', { hostConfig: { Binds: ['/:/host'] } }],
    ['capAdd', { capAdd: ['SYS_ADMIN'] }],
    ['deadlineMs', { deadlineMs: 3_600_000 }],
  ])(
    '%s is no field a caller may set beyond its cap: 400, the engine asked nothing',
    async (_field, extra) => {
      ctx = await setup();
      const refused = await ctx.create(extra);
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe('INVALID_REQUEST');
      expect(ctx.engineWork()).toEqual([]);
    },
  );

  it('asking for less is kept: a read-only root filesystem where the policy allows a writable one', async () => {
    ctx = await setup({ readOnlyRootfs: false });
    expect((await ctx.create({ readOnlyRootfs: true })).status).toBe(201);
    expect((await ctx.create({})).status).toBe(201);
    expect((await ctx.create({ readOnlyRootfs: false })).status).toBe(201);
    const configs = ctx.docker.containers.map((c) => c.config.HostConfig);
    expect(configs[0]).toMatchObject({
      ReadonlyRootfs: true,
      Mounts: [expect.objectContaining({ Target: '/tmp' })],
    });
    expect(configs[1]?.ReadonlyRootfs).toBeFalsy();
    expect(configs[2]?.ReadonlyRootfs).toBeFalsy();
  });

  it('the read-only default holds when the field is left out or says true', async () => {
    ctx = await setup();
    expect((await ctx.create({})).status).toBe(201);
    expect((await ctx.create({ readOnlyRootfs: true })).status).toBe(201);
    for (const c of ctx.docker.containers) expect(c.config.HostConfig?.ReadonlyRootfs).toBe(true);
  });
});

describe('image pulls follow the registry policy', () => {
  let ctx: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  const SCAN = '127.0.0.1:5999/x/y:z';

  it('no registry allowed (the default): an image not on the engine is never pulled, and the answer names the fix', async () => {
    ctx = await setup();
    const missing = await ctx.create({ image: SCAN });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    expect(missing.body.error?.message).toMatch(
      /is not on the engine and pull is 'never' - build or load it there first/,
    );
    expect(missing.body.error?.message).toMatch(/--allow-registry/);
    expect(ctx.docker.pulls).toEqual([]);
    expect(ctx.engineWork()).toEqual([`inspect-image ${SCAN}`]);
  });

  it.each([SCAN, 'localhost:5000/a:1', '[::1]:5000/a:1', 'registry.invalid/a/b:1', 'alpine'])(
    'asking to pull %s from a registry not allowed is 400 naming the registry and the flag, before the engine',
    async (image) => {
      ctx = await setup({ allowedRegistries: ['registry.internal:5000'] });
      const refused = await ctx.create({ image, pull: 'always' });
      expect(refused.status).toBe(400);
      expect(refused.body.error?.code).toBe('POLICY_LIMIT');
      expect(refused.body.error?.message).toMatch(
        /allowed: registry\.internal:5000\).*sbx serve --allow-registry/,
      );
      expect(ctx.engineWork()).toEqual([]);
    },
  );

  it('an allowed registry is pulled from; its failure comes back as a code and a line of sbx, not the engine text', async () => {
    ctx = await setup({ allowedRegistries: ['127.0.0.1:5999'] });
    ctx.docker.pullFailures.set(SCAN, 'connection-refused');
    const failed = await ctx.create({ image: SCAN });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toEqual({
      code: 'PULL_FAILED',
      message: `pulling image ${SCAN} failed: the registry could not be reached or was busy (a later try may succeed)`,
    });
    ctx.docker.pullFailures.delete(SCAN);
    expect((await ctx.create({ image: SCAN })).status).toBe(201);
    expect(ctx.docker.pulls).toEqual([SCAN, SCAN]);
  });

  it('"default" allows the engine\'s default registry: images named without a host', async () => {
    ctx = await setup({ allowedRegistries: ['default'] });
    expect((await ctx.create({ image: 'alpine:3' })).status).toBe(201);
    expect(ctx.docker.pulls).toEqual(['alpine:3']);
    expect((await ctx.create({ image: 'localhost:5000/a:1', pull: 'missing' })).status).toBe(400);
  });
});
