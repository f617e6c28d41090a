import { createSandboxHost, type MeasuredSandboxHost } from '@sbx/agent-host';
import { isBootstrapError } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE, FakeDocker } from '@sbx/bootstrap/testing';
import { isStoreError } from '@sbx/store';
import { afterEach, describe, expect, it, vi } from 'vitest';

const silent = { warn: vi.fn(), error: vi.fn() };
let opened: MeasuredSandboxHost | undefined;

async function setup() {
  const docker = new FakeDocker([DOCKER_TEST_IMAGE]);
  opened = await createSandboxHost({ dbPath: ':memory:', docker, logger: silent });
  return { sbx: opened, docker };
}

// Every test closes its host, and with it its database, even when an assertion failed.
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

describe('createSandboxHost', () => {
  it('provisions, runs a job and disposes, and every step lands in the store', async () => {
    const { sbx, docker } = await setup();
    const { sandbox, result } = await sbx.provision('docker', { image: DOCKER_TEST_IMAGE, pull: 'never' });
    expect(result.phases.map((p) => p.name)).toEqual(['image', 'create', 'start', 'ready']);
    expect(sbx.liveCount).toBe(1);
    const { exec, record } = await sbx.runJob(sandbox, ['echo', 'hi']);
    expect(exec.exitCode).toBe(0);
    expect(record.outcome).toBe('success');
    expect(await sbx.dispose(sandbox.id)).toBe(true);
    expect(docker.live).toEqual([]);
    expect(await sbx.kpis.count('docker')).toBe(1);
    expect((await sbx.kpis.listRecent())[0]).toMatchObject({ sandboxType: 'docker', status: 'ok' });
    expect(await sbx.perf.count()).toBe(1);
  });

  it('records a failed provisioning and its SLA-breach alert, then rethrows the adapter error', async () => {
    const { sbx, docker } = await setup();
    // The engine failing to start a container is the platform's failure: it breaches and alerts.
    docker.hooks.create = () => {
      throw Object.assign(new Error('engine out of disk'), { statusCode: 500 });
    };
    const error = await sbx
      .provision('docker', { image: DOCKER_TEST_IMAGE, pull: 'never' })
      .catch((e: unknown) => e);
    expect(isBootstrapError(error)).toBe(true);
    expect((await sbx.kpis.listRecent())[0]).toMatchObject({
      status: 'sla_breach',
      error: { cause: 'platform' },
    });
    await vi.waitFor(async () => expect(await sbx.alerts.count('sla-breach')).toBe(1));
  });

  it("records a caller's mistake apart, without an alert, then rethrows the adapter error", async () => {
    const { sbx } = await setup();
    const error = await sbx
      .provision('docker', { image: 'missing:1', pull: 'never' })
      .catch((e: unknown) => e);
    expect(isBootstrapError(error, 'IMAGE_NOT_FOUND')).toBe(true);
    expect((await sbx.kpis.listRecent())[0]).toMatchObject({
      error: { code: 'IMAGE_NOT_FOUND', cause: 'caller' },
    });
    expect(await sbx.alerts.count('sla-breach')).toBe(0);
  });

  it('close() removes live sandboxes, then closes the database; a second close is the same promise', async () => {
    const { sbx, docker } = await setup();
    await sbx.provision('docker', { image: DOCKER_TEST_IMAGE, pull: 'never' });
    const closing = sbx.close();
    expect(sbx.close()).toBe(closing);
    expect(await closing).toEqual({ removed: 1, complete: true });
    expect(docker.live).toEqual([]);
    const afterClose = await sbx.kpis.count().catch((e: unknown) => e);
    expect(isStoreError(afterClose)).toBe(true);
  });
});
