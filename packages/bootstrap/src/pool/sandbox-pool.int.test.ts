// Against the real Docker engine: a burst on a warm pool hands out each container once, every one ready, and
// nothing is left behind; a member whose container is removed behind the pool's back is replaced.
import { DockerAdapter, type DockerSandbox, SandboxPool } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SBX_LABELS } from '../docker/container-config.js';
import {
  containersOwnedBy,
  docker,
  removeContainersOf,
  requireEngine,
  skipWithoutEngine,
} from '../docker/testing/real-engine.js';

const RUN = `int-pool-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const SPEC = {
  image: DOCKER_TEST_IMAGE,
  pull: 'never' as const,
  cmd: ['sh', '-c', 'echo ready; exec sleep 3600'],
  ready: { kind: 'log' as const, pattern: '^ready$' },
};

function poolFor(test: string, size: number) {
  const owner = `${RUN}-${test}`;
  const results: ProvisionResult[] = [];
  const provisioner = new SandboxProvisioner({
    logger: silent,
    recorder: { record: (r) => void results.push(r) },
  });
  const adapter = new DockerAdapter({ docker, owner, logger: silent });
  const pool = new SandboxPool({ adapter, spec: SPEC, size, name: test, provisioner, logger: silent });
  return { owner, pool, results };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(skipWithoutEngine)('SandboxPool on the real engine', () => {
  beforeEach(requireEngine);
  afterAll(() => removeContainersOf(RUN));

  it('a burst of 20 on a pool of 4: 4 hits, 16 misses, all ready, none reused, none left; then full again', async () => {
    const { owner, pool, results } = poolFor('burst', 4);
    await pool.ready();
    const members = new Set(pool.readyIds());
    const leases = await Promise.all(Array.from({ length: 20 }, () => pool.acquire({ deadlineMs: 30_000 })));
    expect(leases.filter((l) => l.source === 'pool')).toHaveLength(4);
    expect(leases.filter((l) => l.source === 'cold')).toHaveLength(16);
    // The hits are exactly the members that were ready; every hand-out is a container of its own.
    expect(new Set(leases.filter((l) => l.source === 'pool').map((l) => l.sandbox.id))).toEqual(members);
    const containerIds = leases.map((l) => (l.sandbox as DockerSandbox).containerId);
    expect(new Set(containerIds).size).toBe(20);
    for (const { sandbox } of leases) {
      expect((await sandbox.exec(['echo', 'ok'])).stdout).toBe('ok\n');
    }
    // Members carry the owner and a TTL, so reap() would clean them up after a crash.
    const labels = (
      await docker.listContainers({ all: true, filters: { label: [`${SBX_LABELS.owner}=${owner}`] } })
    ).map((row) => row.Labels);
    expect(labels.every((l) => Number(l[SBX_LABELS.expiresAt]) > Date.now())).toBe(true);

    await until(() => pool.stats().ready === 4, 30_000, 'the pool to refill');
    const refilled = pool.readyIds();
    expect(refilled.some((id) => leases.some((l) => l.sandbox.id === id))).toBe(false);
    await Promise.all(leases.map((l) => l.sandbox.dispose()));
    expect(await pool.close({ timeoutMs: 10_000 })).toEqual({ removed: 4, complete: true });
    expect(await containersOwnedBy(owner)).toEqual([]);
    expect(results.filter((r) => r.attributes?.source === 'refill').length).toBeGreaterThanOrEqual(8);
    expect(results.filter((r) => r.attributes?.source === 'pool').map((r) => r.phases?.[0]?.name)).toEqual(
      Array(4).fill('acquire'),
    );
  });

  it('replaces a member whose container is removed behind its back, and never hands that one out', async () => {
    const { owner, pool } = poolFor('gone', 2);
    await pool.ready();
    const [victim] = pool.readyIds();
    await docker.getContainer(victim as string).remove({ force: true });
    await until(() => !pool.readyIds().includes(victim as string), 10_000, 'the dead member to be dropped');
    await pool.ready();
    const leases = [await pool.acquire(), await pool.acquire()];
    expect(leases.map((l) => l.source)).toEqual(['pool', 'pool']);
    expect(leases.map((l) => l.sandbox.id)).not.toContain(victim);
    await Promise.all(leases.map((l) => l.sandbox.dispose()));
    await pool.close({ timeoutMs: 10_000 });
    expect(await containersOwnedBy(owner)).toEqual([]);
  });
});
