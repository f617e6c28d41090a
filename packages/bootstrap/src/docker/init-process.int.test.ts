// Every sandbox runs the engine's init as PID 1, on runc and on gVisor (runsc): an orphaned background job that is
// killed is reaped (not a zombie `kill -0` still finds), and a signal sent to the container reaches the command
// (a `sleep` as PID 1 would ignore SIGTERM). Real engine, offline test image, loopback only.
import { DockerAdapter, type DockerSandbox } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import type Dockerode from 'dockerode';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  docker,
  GVISOR_RUNTIME,
  removeContainersOf,
  requireEngine,
  requireRunsc,
  skipWithoutEngine,
  skipWithoutRunsc,
} from './testing/real-engine.js';

const RUN = `int-init-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent });
const provisioner = new SandboxProvisioner({ logger: silent, recorder: { record: () => {} } });

async function sandbox(runtime: string): Promise<DockerSandbox> {
  const { value } = await provisioner.provision({
    type: 'docker',
    deadlineMs: 30_000,
    bootstrapFn: (ctx) =>
      adapter.provision({ image: DOCKER_TEST_IMAGE, pull: 'never', cmd: ['sleep', '3600'], runtime }, ctx),
  });
  return value;
}

async function sh(box: DockerSandbox, script: string): Promise<string> {
  const result = await box.exec(['sh', '-c', script]);
  return result.stdout.trim();
}

const cases = [
  { runtime: 'runc', skip: skipWithoutEngine, require: requireEngine },
  { runtime: GVISOR_RUNTIME, skip: skipWithoutRunsc, require: requireRunsc },
];

for (const { runtime, skip, require } of cases) {
  describe.skipIf(skip)(`the init of a sandbox on ${runtime} (real engine)`, () => {
    beforeEach(require);
    afterAll(() => removeContainersOf(RUN));

    it('is PID 1 and reaps a killed orphan: `kill -0` no longer finds it', async () => {
      const box = await sandbox(runtime);
      try {
        expect(await sh(box, 'cat /proc/1/comm')).not.toBe('sleep');
        // The exec's shell exits at once: its background job is orphaned to PID 1.
        const pid = await sh(box, 'sleep 300 >/dev/null 2>&1 & echo $!');
        expect(pid).toMatch(/^\d+$/);
        expect(await sh(box, `kill -0 ${pid} && echo alive`)).toBe('alive');
        await sh(box, `kill ${pid}`);
        // Without a reaping PID 1 the killed job stays a zombie forever and `kill -0` keeps succeeding.
        await expect
          .poll(() => sh(box, `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`), {
            timeout: 5_000,
            interval: 100,
          })
          .toBe('gone');
      } finally {
        await box.dispose();
      }
    });

    it('forwards a signal sent to the container to the command: SIGTERM ends a `sleep`', async () => {
      const box = await sandbox(runtime);
      try {
        const container = (docker as Dockerode).getContainer(box.containerId);
        await container.kill({ signal: 'SIGTERM' });
        // A `sleep` that is itself PID 1 ignores SIGTERM and would still run here.
        await expect
          .poll(async () => (await container.inspect()).State.Running, { timeout: 5_000, interval: 100 })
          .toBe(false);
        expect((await container.inspect()).State.ExitCode).toBe(143);
      } finally {
        await box.dispose();
      }
    });
  });
}
