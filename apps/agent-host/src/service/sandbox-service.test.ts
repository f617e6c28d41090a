// The one pipeline every door calls, on a real DockerAdapter over the fake engine: parse, policy, engine check,
// admission, pool hand-out or cold provisioning and tenancy, decided once; caller mistakes record nothing.
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { isAgentHostError } from '../errors.js';

const IMAGE = DOCKER_TEST_IMAGE;
const BODY = { type: 'docker', image: IMAGE, pull: 'never' };

/** The test kit's host (FakeDocker holding IMAGE); `service` is the one every door calls. */
function setup(policy: Partial<SandboxPolicy> = {}): Promise<TestHost> {
  return createTestHost({ policy });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentHostError(error)) throw new Error(`expected an AgentHostError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('SandboxService', () => {
  let ctx: TestHost | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('creates a cold sandbox from a body: the engine is pinged before anything is created, the tenant owns it', async () => {
    ctx = await setup();
    const created = await ctx.service.create({ tenant: 'acme', body: BODY });
    expect(created.source).toBe('cold');
    expect(created.pool).toBeUndefined();
    expect(created.result.status).toBe('ok');
    const calls = ctx.docker.calls;
    expect(calls.indexOf('ping')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('ping')).toBeLessThan(calls.findIndex((c) => c.startsWith('create')));
    expect(ctx.service.find(created.sandbox.id, 'acme').state).toBe('live');
    expect(ctx.service.find(created.sandbox.id, 'other').state).toBe('unknown');
    expect(ctx.service.list('acme').map((s) => s.id)).toEqual([created.sandbox.id]);
    expect(ctx.service.list('other')).toEqual([]);
    expect(ctx.results).toHaveLength(1);
  });

  it('refuses a caller mistake before the engine is called and records nothing', async () => {
    ctx = await setup();
    const wrong = await refusal(ctx.service.create({ tenant: 'acme', body: { ...BODY, pull: 'sometimes' } }));
    expect(wrong.code).toBe('INVALID_REQUEST');
    expect(wrong.message).toMatch(/^pull: /);
    const type = await refusal(ctx.service.create({ tenant: 'acme', body: { type: 'vm' } }));
    expect(type).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(type.message).toMatch(/^type: /);
    expect(ctx.docker.calls).toEqual([]);
    expect(ctx.results).toEqual([]);
  });

  it('holds a body to the server policy: a TTL over the policy is a POLICY_LIMIT naming the field', async () => {
    ctx = await setup({ maxTtlMs: 60_000 });
    const denied = await refusal(ctx.service.create({ tenant: 'acme', body: { ...BODY, ttlMs: 120_000 } }));
    expect(denied.code).toBe('POLICY_LIMIT');
    expect(denied.message).toMatch(/^ttlMs: /);
    expect(ctx.results).toEqual([]);
    expect(ctx.docker.calls.some((c) => c.startsWith('create'))).toBe(false);
  });

  it('answers an unreachable engine with its error before provisioning (no KPI row)', async () => {
    ctx = await setup();
    ctx.docker.hooks.ping = () => {
      throw Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
    };
    await expect(ctx.service.create({ tenant: 'acme', body: BODY })).rejects.toThrow();
    expect(ctx.results).toEqual([]);
    expect(ctx.docker.calls.some((c) => c.startsWith('create'))).toBe(false);
  });

  it('hands out a warm pool member for { pool }, and refuses an unknown pool or a malformed request', async () => {
    ctx = await setup();
    ctx.host.startPools([{ name: 'py', type: 'docker', size: 1, spec: { image: IMAGE, pull: 'never' } }]);
    await ctx.service.pools.ready('py');
    expect(ctx.service.pools.has('py')).toBe(true);
    const hit = await ctx.service.create({ tenant: 'acme', body: { pool: 'py' } });
    expect(hit).toMatchObject({ source: 'pool', pool: 'py' });
    expect(ctx.service.poolOf(hit.sandbox.id) ?? hit.sandbox.pool).toBe('py');
    expect(ctx.service.find(hit.sandbox.id, 'acme').state).toBe('live');
    expect(await refusal(ctx.service.create({ tenant: 'acme', body: { pool: 'nope' } }))).toMatchObject({
      code: 'POOL_NOT_FOUND',
    });
    const malformed = await refusal(ctx.service.create({ tenant: 'acme', body: { pool: 'py', size: 3 } }));
    expect(malformed.code).toBe('INVALID_REQUEST');
  });

  it("keeps a sandbox's labels with it (a pool member's set at hand-out) and drops them with it", async () => {
    ctx = await setup();
    ctx.host.startPools([{ name: 'py', type: 'docker', size: 1, spec: { image: IMAGE, pull: 'never' } }]);
    await ctx.service.pools.ready('py');
    const hit = await ctx.service.create({
      tenant: 'acme',
      body: { pool: 'py' },
      labels: { 'e2b.template': 'py' },
    });
    expect(hit.source).toBe('pool');
    expect(ctx.service.labels.labelsOf(hit.sandbox.id)).toEqual({ 'e2b.template': 'py' });
    const cold = await ctx.service.create({ tenant: 'acme', body: BODY, labels: { team: 'a' } });
    expect(ctx.service.labels.labelsOf(cold.sandbox.id)).toEqual({ team: 'a' });
    expect(ctx.service.labels.setLabels(cold.sandbox.id, { team: 'b' })).toBe(true);
    expect(ctx.service.labels.labelsOf(cold.sandbox.id)).toEqual({ team: 'b' });
    expect(await ctx.service.dispose(cold.sandbox.id)).toBe(true);
    expect(ctx.service.labels.labelsOf(cold.sandbox.id)).toBeUndefined();
    expect(ctx.service.labels.setLabels(cold.sandbox.id, { team: 'c' })).toBe(false);
    expect(ctx.service.labels.labelsOf(cold.sandbox.id)).toBeUndefined();
  });

  it('provisions an admitted CLI spec: the server policy names flags, the engine choice passes it as built', async () => {
    ctx = await setup({ maxTtlMs: 60_000 });
    const over = { image: IMAGE, pull: 'never', ttlMs: 120_000 };
    const denied = await refusal(ctx.service.admitFlags('docker', over, 'server'));
    expect(denied.code).toBe('POLICY_LIMIT');
    expect(denied.message).toMatch(/^--ttlMs: /);
    expect((await ctx.service.admitFlags('docker', over, 'engine')).spec).toEqual(over);
    const admitted = await ctx.service.admitFlags('docker', { image: IMAGE, pull: 'never' }, 'server');
    const built = await ctx.service.admitFlags('docker', { image: IMAGE, pull: 'never' }, 'engine');
    expect(built.spec).toEqual({ image: IMAGE, pull: 'never' });
    expect(admitted.spec).not.toEqual(built.spec);
    const created = await ctx.service.create({ admitted });
    expect(created.source).toBe('cold');
    expect(ctx.service.find(created.sandbox.id, 'default').state).toBe('live');
  });

  it('measures a command as a perf run, extends the TTL within the policy and disposes', async () => {
    ctx = await setup();
    const { sandbox } = await ctx.service.create({ tenant: 'acme', body: BODY });
    const { record } = await ctx.service.exec(sandbox, ['echo', 'hi']);
    expect(record.sandboxId).toBe(sandbox.id);
    const expiresAt = ctx.service.extendTtl(sandbox.id, 60_000);
    expect(ctx.service.times(sandbox.id)?.expiresAt).toBe(expiresAt);
    expect(await ctx.service.dispose(sandbox.id)).toBe(true);
    expect(ctx.service.find(sandbox.id, 'acme').state).not.toBe('live');
    expect(await ctx.service.dispose(sandbox.id)).toBe(false);
  });

  it('reports health: engine reachable, store ok by default, live count; unreachable is a state', async () => {
    ctx = await setup();
    await ctx.service.create({ tenant: 'acme', body: BODY });
    expect(await ctx.service.health()).toEqual({
      status: 'ok',
      engine: 'reachable',
      store: { status: 'ok', spooled: 0, oldestAgeSeconds: 0 },
      liveSandboxes: 1,
    });
    ctx.docker.hooks.ping = () => {
      throw new Error('down');
    };
    expect((await ctx.service.health()).engine).toBe('unreachable');
  });
});
