import { isAgentHostError } from '@sbx/agent-host';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { isStoreError } from '@sbx/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from './create-test-host.js';

let opened: TestHost | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

const spec = { image: DOCKER_TEST_IMAGE, pull: 'never' };

describe('createTestHost', () => {
  it('provisions on FakeDocker through the production wiring: measured, in the metrics, removed at close', async () => {
    opened = await createTestHost();
    const t = opened;
    const { sandbox } = await t.host.provision('docker', spec, { tenant: 'a' });
    expect(t.docker.live).toHaveLength(1);
    expect(await t.kpis.count('docker')).toBe(1);
    expect(await t.metrics.metrics()).toContain('sbx_live_sandboxes{host="test-host"} 1');
    expect(t.host.list('a').map((s) => s.id)).toEqual([sandbox.id]);
    const closing = t.close();
    expect(t.close()).toBe(closing);
    expect(await closing).toEqual({ removed: 1, complete: true });
    expect(t.docker.live).toEqual([]);
    expect(isStoreError(await t.kpis.count().catch((e: unknown) => e))).toBe(true);
  });

  it("holds the host to the policy's live caps", async () => {
    opened = await createTestHost({ policy: { maxLivePerTenant: 1 } });
    await opened.host.provision('docker', spec, { tenant: 'a' });
    const refused = await opened.host.provision('docker', spec, { tenant: 'a' }).catch((e: unknown) => e);
    expect(isAgentHostError(refused, 'TOO_MANY_SANDBOXES')).toBe(true);
    await opened.host.provision('docker', spec, { tenant: 'b' });
    expect(opened.host.liveCount).toBe(2);
  });
});
