// What the doors other than HTTP call on the service (sbx serve's pool admission, sbx bench, sbx reap, the
// library entry), on a real DockerAdapter over the fake engine.
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { isAgentHostError } from '../errors.js';
import { SandboxService } from './sandbox-service.js';
import { parsePools } from './service-pools.js';

const IMAGE = DOCKER_TEST_IMAGE;
const BODY = { type: 'docker', image: IMAGE, pull: 'never' };
const policy = defaultPolicy(2);

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The test kit's host (FakeDocker holding IMAGE) under `policy`. */
async function setup() {
  t = await createTestHost({ policy });
  return { service: t.service };
}

describe('SandboxService for the other doors', () => {
  it('pools.admit refuses a pool whose template is not built, as one INVALID_CONFIG naming the pool', async () => {
    const { service } = await setup();
    const pools = parsePools(
      [{ name: 'py', size: 1, spec: { type: 'docker', template: 'nope' } }],
      policy,
      'p.json',
    );
    const error = await service.pools.admit(pools, 'p.json').catch((e: unknown) => e);
    expect(isAgentHostError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(
      /^--pool-file p\.json: pool "py": spec\.template: template "nope" is not built/,
    );
  });

  it('pools.admit passes a pool whose spec the engine can run, its spec unchanged', async () => {
    const { service } = await setup();
    const pools = parsePools([{ name: 'py', size: 1, spec: BODY }], policy, 'p.json');
    const before = structuredClone(pools[0]?.spec);
    await service.pools.admit(pools, 'p.json');
    expect(pools[0]?.spec).toEqual(before);
  });

  it("counts this owner's sandboxes left on the engine, and reap keeps a live one", async () => {
    const { service } = await setup();
    const { sandbox } = await service.create({ tenant: 'acme', body: BODY });
    expect(await service.leftOnEngine('docker')).toBe(1);
    expect(await service.reap()).toEqual([]);
    expect(service.liveCount).toBe(1);
    await service.dispose(sandbox.id);
    expect(await service.leftOnEngine('docker')).toBe(0);
  });

  it('check() refuses a body against a policy without a host; a good body passes', () => {
    const missing = (() => {
      try {
        SandboxService.check({ type: 'docker' }, policy);
      } catch (error) {
        return error;
      }
    })();
    expect(isAgentHostError(missing, 'INVALID_REQUEST')).toBe(true);
    expect(() => SandboxService.check({ type: 'kata' }, policy)).toThrow(/type: must be one of/);
    expect(() => SandboxService.check(BODY, policy)).not.toThrow();
  });
});
