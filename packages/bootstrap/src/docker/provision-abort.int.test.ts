// Against the real Docker engine: an abort (Ctrl-C) that lands anywhere in a provisioning leaves no container
// and no open socket behind, so the process can exit (the `sbx provision docker --count 40` SIGINT hang).
import { type BootstrapError, DockerAdapter } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  containersOwnedBy,
  docker,
  openSockets,
  removeContainersOf,
  requireEngine,
  skipWithoutEngine,
  socketsBackTo,
} from './testing/real-engine.js';

const RUN = `int-abort-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };

describe.skipIf(skipWithoutEngine)(
  `aborting a provisioning on the real engine (${DOCKER_TEST_IMAGE})`,
  () => {
    beforeEach(requireEngine);
    afterAll(() => removeContainersOf(RUN));

    it('at any moment: no container and no socket is left, whatever phase the abort hit', async () => {
      const adapter = new DockerAdapter({ docker, owner: `${RUN}-any`, logger: silent });
      const provisioner = new SandboxProvisioner({ logger: silent });
      const baseline = openSockets();
      const phases = new Set<string>();
      // Spread over a provisioning (about 75 ms to start here, then 200 ms to the line), so aborts land in
      // create, start and ready.
      for (const delayMs of [0, 3, 6, 10, 20, 35, 50, 70, 100, 150]) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error('SIGINT')), delayMs);
        let failure: BootstrapError | undefined;
        const result = await provisioner
          .provision({
            type: 'docker',
            signal: controller.signal,
            bootstrapFn: (ctx) =>
              adapter.provision(
                {
                  image: DOCKER_TEST_IMAGE,
                  pull: 'never',
                  cmd: ['sh', '-c', 'sleep 0.2; echo ready; sleep 3600'],
                  ready: { kind: 'log', pattern: '^ready$' },
                },
                ctx,
              ),
          })
          .catch((error: unknown) => {
            failure = error as BootstrapError;
            return undefined;
          });
        clearTimeout(timer);
        if (failure) {
          expect(failure).toMatchObject({ code: 'ABORTED' });
          phases.add(failure.phase ?? '');
        }
        await result?.value?.dispose();
        expect(await containersOwnedBy(adapter.owner)).toEqual([]);
        await socketsBackTo(baseline);
      }
      // The abort hit more than one phase, so the loop tested what it says.
      expect(phases.size).toBeGreaterThan(1);
    });

    it('an exec aborted mid-command closes its stream', async () => {
      const adapter = new DockerAdapter({ docker, owner: `${RUN}-exec`, logger: silent });
      const { value: sandbox } = await new SandboxProvisioner({ logger: silent }).provision({
        type: 'docker',
        bootstrapFn: (ctx) =>
          adapter.provision({ image: DOCKER_TEST_IMAGE, pull: 'never', cmd: ['sleep', '3600'] }, ctx),
      });
      try {
        const baseline = openSockets();
        const controller = new AbortController();
        const running = sandbox.exec(['sleep', '30'], { signal: controller.signal });
        setTimeout(() => controller.abort(new Error('SIGINT')), 100);
        await expect(running).rejects.toMatchObject({ code: 'ABORTED' });
        await socketsBackTo(baseline);
      } finally {
        await sandbox.dispose();
      }
    });
  },
);
