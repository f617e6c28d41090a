// Against the real Docker engine: DockerAdapter.watch() reports sbx containers that exit or are removed, and an
// abort leaves no socket open.
import { DockerAdapter, type SandboxGoneEvent } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  docker,
  openSockets,
  removeContainersOf,
  requireEngine,
  skipWithoutEngine,
  socketsBackTo,
} from './testing/real-engine.js';

const RUN = `int-watch-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };

async function until<T>(find: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`not seen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(skipWithoutEngine)('DockerAdapter.watch on the real engine', () => {
  beforeEach(requireEngine);
  afterAll(() => removeContainersOf(RUN));

  it('reports a container that exits and one that is removed; abort leaves no open socket', async () => {
    const baseline = openSockets();
    const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent });
    const provisioner = new SandboxProvisioner({ logger: silent });
    const provision = async (cmd: string[]) => {
      const { value } = await provisioner.provision({
        type: 'docker',
        bootstrapFn: (ctx) => adapter.provision({ image: DOCKER_TEST_IMAGE, pull: 'never', cmd }, ctx),
      });
      return value;
    };
    const seen: SandboxGoneEvent[] = [];
    const controller = new AbortController();
    await adapter.watch((event) => seen.push(event), { signal: controller.signal });
    // The events stream holds a socket (so the check after the abort can fail).
    expect(openSockets()).toBeGreaterThan(baseline);
    try {
      const exiting = await provision(['sh', '-c', 'sleep 0.3; exit 7']);
      const removed = await provision(['sleep', '3600']);
      await removed.dispose();
      expect(await until(() => seen.find((e) => e.sandboxId === exiting.id))).toEqual({
        sandboxId: exiting.id,
        containerId: exiting.containerId,
        reason: 'exited',
        exitCode: 7,
      });
      await until(() => seen.find((e) => e.sandboxId === removed.id && e.reason === 'removed'));
      expect(seen.filter((e) => e.sandboxId === removed.id).map((e) => e.reason)).toEqual([
        'exited',
        'removed',
      ]);
      await exiting.dispose();
    } finally {
      controller.abort();
    }
    await socketsBackTo(baseline);
  });
});
