// Against the real Docker engine (started and given its test image by .ci/prereqs/docker.sh). With CI=true a
// missing engine fails every test; locally it skips them, saying why.
import {
  DockerAdapter,
  type DockerApi,
  type DockerContainerApi,
  type DockerSandbox,
  type DockerSandboxSpec,
} from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { type ProvisionSuccess, SandboxProvisioner } from '@sbx/timing';
import Dockerode from 'dockerode';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SBX_LABELS } from './container-config.js';
import { failureOf } from './testing/failure-of.js';
import {
  containersOwnedBy,
  docker,
  removeContainersOf,
  requireEngine,
  skipWithoutEngine,
} from './testing/real-engine.js';

const RUN = `int-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const provisioner = new SandboxProvisioner({ logger: silent });

function adapterFor(test: string, api: DockerApi = docker): DockerAdapter {
  return new DockerAdapter({ docker: api, owner: `${RUN}-${test}`, logger: silent });
}

async function provision(
  adapter: DockerAdapter,
  spec: Partial<DockerSandboxSpec>,
  deadlineMs = 30_000,
): Promise<ProvisionSuccess<DockerSandbox>> {
  return provisioner.provision({
    type: 'docker',
    deadlineMs,
    bootstrapFn: (ctx) => adapter.provision({ image: DOCKER_TEST_IMAGE, pull: 'never', ...spec }, ctx),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipWithoutEngine)(`DockerAdapter against the real engine (${DOCKER_TEST_IMAGE})`, () => {
  // Each test fails on its own (CI=true, or an engine without the image) rather than being skipped.
  beforeEach(requireEngine);
  // Whatever a failed assertion left behind.
  afterAll(() => removeContainersOf(RUN));

  it('provisions with the safe defaults, runs commands, and disposes', async () => {
    const adapter = adapterFor('exec');
    const { value: sandbox, phases } = await provision(adapter, { cmd: ['sleep', '3600'] });
    expect(phases.map((p) => p.name)).toEqual(['image', 'create', 'start', 'ready']);
    expect(sandbox.imageSource).toBe('local');

    await expect(sandbox.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])).resolves.toEqual({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
    // No capabilities, no network interface but loopback, and the limits in force.
    const caps = await sandbox.exec("grep -E '^Cap(Eff|Bnd)' /proc/self/status");
    expect(caps.stdout).toBe('CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n');
    expect((await sandbox.exec('ls /sys/class/net')).stdout.trim()).toBe('lo');
    const info = await new Dockerode().getContainer(sandbox.containerId).inspect();
    expect(info.HostConfig).toMatchObject({
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 512 * 1024 * 1024,
      NanoCpus: 1e9,
      PidsLimit: 256,
      NetworkMode: 'none',
      AutoRemove: false,
    });
    expect(info.Config.Labels).toMatchObject({
      [SBX_LABELS.managedBy]: 'sbx',
      [SBX_LABELS.owner]: adapter.owner,
    });

    await sandbox.dispose();
    await sandbox.dispose();
    expect(await containersOwnedBy(adapter.owner)).toEqual([]);
  });

  it('network none: loopback only; localhost needs an /etc/hosts, which networkSandbox brings', async () => {
    const server = 'mkdir -p /tmp/www; echo ok > /tmp/www/x; exec httpd -f -p 8080 -h /tmp/www';
    const fast = await provision(adapterFor('net-fast'), {
      cmd: ['sh', '-c', server],
      ready: { kind: 'tcp', port: 8080 },
    });
    const classic = await provision(adapterFor('net-classic'), {
      cmd: ['sh', '-c', server],
      ready: { kind: 'tcp', port: 8080 },
      networkSandbox: true,
    });
    try {
      for (const { value } of [fast, classic]) {
        expect((await value.exec('ls /sys/class/net')).stdout.trim()).toBe('lo');
        expect((await value.exec('wget -q -O - http://127.0.0.1:8080/x')).stdout).toBe('ok\n');
      }
      // The test image ships no /etc/hosts: only Docker's network sandbox mounts one.
      expect((await fast.value.exec('wget -q -O - http://localhost:8080/x')).exitCode).not.toBe(0);
      expect((await classic.value.exec('wget -q -O - http://localhost:8080/x')).stdout).toBe('ok\n');
    } finally {
      await Promise.all([fast.value.dispose(), classic.value.dispose()]);
    }
  });

  it('times out a command, kills it, and keeps the sandbox usable', async () => {
    const adapter = adapterFor('exec-timeout');
    const { value: sandbox } = await provision(adapter, { cmd: ['sleep', '3600'] });
    try {
      const error = await failureOf(sandbox.exec(['sleep', '31'], { timeoutMs: 300 }));
      expect(error).toMatchObject({ code: 'EXEC_TIMEOUT' });
      let running = 'sleep 31';
      for (let i = 0; i < 50 && running.includes('sleep 31'); i += 1) {
        await sleep(100);
        running = (await sandbox.exec(['ps', '-o', 'args'])).stdout;
      }
      expect(running).not.toContain('sleep 31');
    } finally {
      await sandbox.dispose();
    }
  });

  describe('readiness probes', () => {
    it('log: a line matching the pattern', async () => {
      const adapter = adapterFor('probe-log');
      const { value: sandbox } = await provision(adapter, {
        cmd: ['sh', '-c', 'echo booting; sleep 0.3; echo "listening on 8080" >&2; sleep 3600'],
        ready: { kind: 'log', pattern: /listening on \d+/ },
      });
      await sandbox.dispose();
    });

    it('exec: a command that exits 0', async () => {
      const adapter = adapterFor('probe-exec');
      const { value: sandbox } = await provision(adapter, {
        cmd: ['sh', '-c', 'sleep 0.5; touch /tmp/ready; sleep 3600'],
        ready: { kind: 'exec', cmd: ['test', '-f', '/tmp/ready'] },
      });
      expect((await sandbox.exec(['test', '-f', '/tmp/ready'])).exitCode).toBe(0);
      await sandbox.dispose();
    });

    it('tcp: a port that listens inside a container without network', async () => {
      const adapter = adapterFor('probe-tcp');
      const { value: sandbox } = await provision(adapter, {
        cmd: ['sh', '-c', 'sleep 0.5; nc -l -p 7000 >/dev/null & sleep 3600'],
        ready: { kind: 'tcp', port: 7000 },
      });
      expect((await sandbox.exec('echo ping | nc 127.0.0.1 7000')).exitCode).toBe(0);
      await sandbox.dispose();
    });

    it('http: a path that answers 2xx (404s before that do not count)', async () => {
      const adapter = adapterFor('probe-http');
      const { value: sandbox } = await provision(adapter, {
        cmd: [
          'sh',
          '-c',
          'mkdir -p /tmp/www; (sleep 0.6; echo ok > /tmp/www/health) & exec httpd -f -p 8080 -h /tmp/www',
        ],
        ready: { kind: 'http', port: 8080, path: '/health' },
      });
      expect((await sandbox.exec('wget -q -O - http://127.0.0.1:8080/health')).stdout).toBe('ok\n');
      await sandbox.dispose();
    });

    it("healthcheck: Docker's own health status", async () => {
      const adapter = adapterFor('probe-health');
      const { value: sandbox } = await provision(adapter, {
        cmd: ['sh', '-c', 'sleep 0.5; touch /tmp/healthy; sleep 3600'],
        healthcheck: { test: 'test -f /tmp/healthy', intervalMs: 100, retries: 100 },
        ready: { kind: 'healthcheck' },
      });
      const info = await new Dockerode().getContainer(sandbox.containerId).inspect();
      expect(info.State.Health?.Status).toBe('healthy');
      await sandbox.dispose();
    });
  });

  describe('never leaks a container', () => {
    it('a probe that never passes: DEADLINE_EXCEEDED in ready, container removed', async () => {
      const adapter = adapterFor('never-ready');
      const error = await failureOf(
        provision(
          adapter,
          { cmd: ['sh', '-c', 'echo booting; sleep 3600'], ready: { kind: 'log', pattern: 'ready' } },
          1_500,
        ),
      );
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'ready' });
      expect(await containersOwnedBy(adapter.owner)).toEqual([]);
    });

    it('a deadline that fires during start: DEADLINE_EXCEEDED in start, container removed even though start ran late', async () => {
      const real = new Dockerode();
      let lateStart: Promise<unknown> | undefined;
      const slowStart: DockerApi = {
        ping: () => real.ping(),
        info: () => real.info(),
        getImage: (name) => real.getImage(name),
        pull: (name) => real.pull(name),
        getContainer: (id) => real.getContainer(id),
        listContainers: (options) => real.listContainers(options),
        getEvents: (options) => real.getEvents(options),
        createContainer: async (options) => {
          const c = await real.createContainer(options);
          const container: DockerContainerApi = {
            id: c.id,
            inspect: (o) => c.inspect(o),
            logs: ((o: never) => c.logs(o)) as DockerContainerApi['logs'],
            exec: (o) => c.exec(o),
            putArchive: (file, o) => c.putArchive(file, o),
            getArchive: (o) => c.getArchive(o),
            infoArchive: (o) => c.infoArchive(o),
            remove: (o) => c.remove(o),
            // The engine starts it only after the deadline has fired.
            start: () => {
              lateStart = sleep(1_500).then(() => c.start());
              return lateStart;
            },
          };
          return container;
        },
      };
      const adapter = adapterFor('deadline-start', slowStart);
      const error = await failureOf(provision(adapter, { cmd: ['sleep', '3600'] }, 1_000));
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'start', retryable: true });
      expect(await containersOwnedBy(adapter.owner)).toEqual([]);
      // The late start found no container to start.
      await expect(lateStart).rejects.toMatchObject({ statusCode: 404 });
      expect(await containersOwnedBy(adapter.owner)).toEqual([]);
    });

    // The engine's init (PID 1) starts, then cannot execute the command: it says so on stderr and exits 127.
    // A probe that waits on the command sees that exit, and the init's line makes it the caller's INVALID_SPEC
    // (the default probe, 'running', can pass before the init has tried: the sandbox is then gone at first use).
    it('a command that cannot start: the init says so, a caller mistake (INVALID_SPEC), container removed', async () => {
      const adapter = adapterFor('start-failed');
      const ready = { kind: 'log', pattern: '^ready$' } as const;
      const error = await failureOf(provision(adapter, { cmd: ['/no/such/binary'], ready }));
      expect(error).toMatchObject({ code: 'INVALID_SPEC', phase: 'start' });
      expect(error.message).toMatch(/no such file or directory/i);
      expect(await containersOwnedBy(adapter.owner)).toEqual([]);
    });

    it('reap() removes an expired sandbox and keeps one that is not', async () => {
      const adapter = adapterFor('reap');
      const { value: expiring } = await provision(adapter, { cmd: ['sleep', '3600'], ttlMs: 1_000 });
      // No cmd: the image's own (sleep infinity) keeps it running.
      const { value: keeper } = await provision(adapter, {});
      const { removed } = await adapter.reap({ now: new Date(Date.now() + 2_000), isOwnerAlive: () => true });
      expect(removed).toContain(expiring.containerId);
      expect(removed).not.toContain(keeper.containerId);
      expect(await containersOwnedBy(adapter.owner)).toEqual([keeper.containerId]);
      await keeper.dispose();
    });
  });

  it('phases add up to the total within a small tolerance', async () => {
    const adapter = adapterFor('phases');
    const result = await provision(adapter, {
      cmd: ['sh', '-c', 'echo ready; sleep 3600'],
      ready: { kind: 'log', pattern: '^ready$' },
    });
    await result.value.dispose();
    const sum = result.phases.reduce((total, phase) => total + phase.durationMs, 0);
    expect(result.phases.map((p) => p.name)).toEqual(['image', 'create', 'start', 'ready']);
    expect(Math.abs(result.durationMs - sum)).toBeLessThanOrEqual(Math.max(5, result.durationMs * 0.02));
  });

  it('names the image and what to do when it is missing and may not be pulled', async () => {
    const error = await failureOf(provision(adapterFor('no-image'), { image: 'sbx-test/does-not-exist:1' }));
    expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND', phase: 'image' });
    expect(error.message).toMatch(
      /sbx-test\/does-not-exist:1 is not on the engine and pull is 'never' - build or load it/,
    );
  });

  it('ping() says where it looked when nothing listens there', async () => {
    const adapter = new DockerAdapter({ docker: new Dockerode({ socketPath: '/tmp/sbx-no-engine.sock' }) });
    const error = await failureOf(adapter.ping());
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', retryable: true });
    expect(error.message).toMatch(
      /^Docker engine not reachable at \/tmp\/sbx-no-engine.sock - start Docker or set DOCKER_HOST \(connect ENOENT/,
    );
  });
});
