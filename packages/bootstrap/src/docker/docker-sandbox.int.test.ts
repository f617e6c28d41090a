// Against the real Docker engine: a command in a sandbox whose container is gone is `SANDBOX_GONE`, however
// the engine says so (404, 409, or a command killed under it).
import { DockerAdapter, type DockerSandbox } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import Dockerode from 'dockerode';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { docker, removeContainersOf, requireEngine, skipWithoutEngine } from './testing/real-engine.js';

const RUN = `int-gone-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent });

async function sandbox(): Promise<DockerSandbox> {
  const { value } = await new SandboxProvisioner({ logger: silent }).provision({
    type: 'docker',
    bootstrapFn: (ctx) =>
      adapter.provision({ image: DOCKER_TEST_IMAGE, pull: 'never', cmd: ['sleep', '3600'] }, ctx),
  });
  return value;
}

describe.skipIf(skipWithoutEngine)('a sandbox whose container is gone (real engine)', () => {
  beforeEach(requireEngine);
  afterAll(() => removeContainersOf(RUN));

  it('removed: SANDBOX_GONE', async () => {
    const gone = await sandbox();
    await docker.getContainer(gone.containerId).remove({ force: true });
    await expect(gone.exec(['true'])).rejects.toMatchObject({ code: 'SANDBOX_GONE', phase: 'exec' });
  });

  it('stopped: SANDBOX_GONE', async () => {
    const stopped = await sandbox();
    try {
      await new Dockerode().getContainer(stopped.containerId).kill();
      await expect(stopped.exec(['true'])).rejects.toMatchObject({ code: 'SANDBOX_GONE' });
    } finally {
      await stopped.dispose();
    }
  });

  it('removed while a command runs: SANDBOX_GONE', async () => {
    const dying = await sandbox();
    const running = dying.exec(['sleep', '30']);
    setTimeout(() => void docker.getContainer(dying.containerId).remove({ force: true }), 300);
    await expect(running).rejects.toMatchObject({ code: 'SANDBOX_GONE' });
  });

  it('streams output as it is printed and feeds stdin', async () => {
    const box = await sandbox();
    try {
      const arrivals: Array<{ at: number; text: string }> = [];
      const started = performance.now();
      const result = await box.exec(
        ['sh', '-c', 'for i in 1 2 3; do echo "line $i"; sleep 0.2; done; wc -c'],
        {
          stdin: 'twelve bytes',
          onOutput: (_stream, chunk) =>
            arrivals.push({ at: performance.now() - started, text: Buffer.from(chunk).toString() }),
        },
      );
      expect(result.stdout).toBe('line 1\nline 2\nline 3\n12\n');
      expect(arrivals.length).toBeGreaterThanOrEqual(3);
      // The first line arrived long before the command ended.
      const last = arrivals.at(-1)?.at ?? 0;
      expect(last - (arrivals[0]?.at ?? 0)).toBeGreaterThan(300);
    } finally {
      await box.dispose();
    }
  });
});
