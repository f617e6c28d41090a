// The built sbx-agent in the offline busybox image with no network, on runc and on gVisor (runsc): bind-mounted
// read-only, listening on a socket in a bind-mounted 0700 host directory, started under the engine's init as
// sbx will start it. From Node on the host: hello, then `echo hi` 100 times (p50/p95 printed). Also: a
// command the agent cannot execute is its one stderr line and exit 127, and `docker stop` reaches the command.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_TEST_IMAGE } from '../src/docker/test-image.js';
import {
  GVISOR_RUNTIME,
  requireEngine,
  requireRunsc,
  skipWithoutEngine,
  skipWithoutRunsc,
} from '../src/docker/testing/real-engine.js';
import { buildAgent, removeAgents, startAgent, waitForSocket } from './agent-container.js';
import { call } from './frame-client.js';

beforeAll(buildAgent, 300_000);
afterAll(removeAgents);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

for (const runtime of ['runc', GVISOR_RUNTIME]) {
  const skip = runtime === 'runc' ? skipWithoutEngine : skipWithoutRunsc;
  describe.skipIf(skip)(`sbx-agent in ${DOCKER_TEST_IMAGE} on ${runtime}, network none`, () => {
    beforeAll(runtime === 'runc' ? requireEngine : requireRunsc);

    it('answers hello and runs echo hi 100 times', async () => {
      const { container, socket } = await startAgent(runtime, ['sleep', '3600']);
      const readyMs = await waitForSocket(socket);
      expect(statSync(socket).isSocket()).toBe(true);
      const hello = await call(socket, { op: 'hello' });
      expect(hello.end).toMatchObject({ v: 1, agent: 'sbx-agent/0.1.0', uid: 0 });
      const inspected = await container.inspect();
      expect(inspected.HostConfig.NetworkMode).toBe('none');

      const hellos: number[] = [];
      for (let i = 0; i < 100; i++) {
        const started = performance.now();
        await call(socket, { op: 'hello' });
        hellos.push(performance.now() - started);
      }
      hellos.sort((a, b) => a - b);
      const times: number[] = [];
      for (let i = 0; i < 100; i++) {
        const started = performance.now();
        const result = await call(socket, { op: 'run', cmd: ['echo', 'hi'] });
        times.push(performance.now() - started);
        expect(result).toEqual({ stdout: 'hi\n', stderr: '', end: { exitCode: 0 } });
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      console.log(
        `[sbx-agent ${runtime}] socket up ${readyMs.toFixed(0)} ms after start; hello x100: p50 ${percentile(hellos, 50).toFixed(2)} ms, p95 ${percentile(hellos, 95).toFixed(2)} ms; echo hi x100: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`,
      );
      // Far under the Docker exec floor (about 50-60 ms on runc here), even on a loaded machine.
      expect(p50).toBeLessThan(runtime === 'runc' ? 25 : 150);

      // docker stop's SIGTERM goes init -> agent -> the command (sleep dies of it: 128+15), well before the
      // engine's 10 s kill.
      const stopped = performance.now();
      await container.stop({ t: 10 });
      expect(performance.now() - stopped).toBeLessThan(5_000);
      expect((await container.inspect()).State.ExitCode).toBe(143);
    });

    it('says on stderr that it cannot execute the command and exits 127', async () => {
      const { container } = await startAgent(runtime, ['/no/such/command', 'arg']);
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      expect(StatusCode).toBe(127);
      const logs = (await container.logs({ stdout: true, stderr: true })) as Buffer;
      expect(logs.toString()).toContain(
        'sbx-agent: exec /no/such/command failed: No such file or directory\n',
      );
    });
  });
}
