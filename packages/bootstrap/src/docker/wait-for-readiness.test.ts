import { DockerAdapter, type ReadinessProbe } from '@sbx/bootstrap';
import { SandboxProvisioner } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeDocker, FakeExecStream, httpError } from './fake/fake-docker.js';
import { failureOf } from './testing/failure-of.js';

const IMAGE = 'img:1';
const LISTENING_8080 = `  sl  local_address rem_address   st
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0
`;

function setup() {
  const docker = new FakeDocker([IMAGE]);
  const adapter = new DockerAdapter({ docker, owner: 'me:1', logger: { warn: vi.fn(), error: vi.fn() } });
  const provisioner = new SandboxProvisioner({ logger: { warn: vi.fn(), error: vi.fn() } });
  const provision = (ready: ReadinessProbe, extra: { healthcheck?: { test: string } } = {}) =>
    provisioner.provision({
      type: 'docker',
      deadlineMs: 10_000,
      bootstrapFn: (ctx) => adapter.provision({ image: IMAGE, ready, ...extra }, ctx),
    });
  return { docker, provision };
}

describe('readiness probes', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('log', () => {
    it('follows the log from the start (lines printed before it opened count) and passes on the first match, on stdout or stderr', async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => {
        c.print('booting\n');
        c.print('listening on 8080\r\n', 2);
      };
      const { value, phases } = await provision({ kind: 'log', pattern: /listening on \d+$/g });
      expect(value?.containerId).toBe('c1');
      expect(phases.map((p) => p.name)).toEqual(['image', 'create', 'start', 'ready']);
      const calls = docker.calls.map((c) => c.split(' ')[0]);
      expect(calls.indexOf('logs')).toBeGreaterThan(calls.indexOf('start'));
      expect(calls).not.toContain('attach');
      expect(docker.openStreams).toEqual([]);
    });

    it('says which log drivers work when the log cannot be read back', async () => {
      const { docker, provision } = setup();
      docker.hooks.logs = () => {
        throw httpError(501, 'configured logging driver does not support reading');
      };
      const error = await failureOf(provision({ kind: 'log', pattern: 'ready' }));
      expect(error).toMatchObject({ code: 'READINESS_FAILED', phase: 'ready' });
      expect(error.message).toMatch(/use a log driver that can be read \(json-file, local, journald\)/);
      expect(docker.live).toEqual([]);
    });

    it('waits for a line that arrives in pieces', async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => {
        c.print('rea');
        setTimeout(() => c.print('dy\n'), 200);
      };
      const pending = provision({ kind: 'log', pattern: '^ready$' });
      await vi.advanceTimersByTimeAsync(200);
      await expect(pending).resolves.toMatchObject({ status: 'ok' });
    });

    it('fails with READINESS_FAILED when the output ends without a match (the container exited)', async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => {
        c.print('fatal: no config\n', 2);
        c.exit(2);
      };
      const error = await failureOf(provision({ kind: 'log', pattern: 'ready' }));
      expect(error).toMatchObject({ code: 'READINESS_FAILED', phase: 'ready' });
      expect(error.message).toMatch(
        /exit code 2\) and never became ready; last check: 1 output lines, none matching \/ready\/; last: "fatal: no config"/,
      );
      expect(docker.live).toEqual([]);
    });

    it("is the caller's INVALID_SPEC when the init could not execute the command (its line on stderr, exit 127 or 126)", async () => {
      for (const [exitCode, reason] of [
        [127, 'No such file or directory'],
        [126, 'Permission denied'],
      ] as const) {
        const { docker, provision } = setup();
        docker.hooks.afterStart = (c) => {
          c.print(`[FATAL tini (7)] exec /no/such/binary failed: ${reason}\n`, 2);
          c.exit(exitCode);
        };
        const error = await failureOf(provision({ kind: 'log', pattern: 'ready' }));
        expect(error).toMatchObject({ code: 'INVALID_SPEC', phase: 'start' });
        expect(error.message).toMatch(
          `the sandbox's command cannot start: exec /no/such/binary failed: ${reason}; container`,
        );
        expect(docker.live).toEqual([]);
      }
    });

    it("stays READINESS_FAILED for an exit 127 without the init's line (a shell that did not find a command)", async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => {
        c.print('sh: nope: not found\n', 2);
        c.exit(127);
      };
      const error = await failureOf(provision({ kind: 'log', pattern: 'ready' }));
      expect(error).toMatchObject({ code: 'READINESS_FAILED', phase: 'ready' });
    });
  });

  describe('exec', () => {
    it('runs the command every intervalMs until it exits 0', async () => {
      const { docker, provision } = setup();
      let attempts = 0;
      docker.execHandler = (cmd) => {
        expect(cmd).toEqual(['test', '-f', '/tmp/ready']);
        attempts += 1;
        return { exitCode: attempts < 3 ? 1 : 0 };
      };
      const pending = provision({ kind: 'exec', cmd: ['test', '-f', '/tmp/ready'], intervalMs: 250 });
      await vi.advanceTimersByTimeAsync(250);
      expect(attempts).toBe(2);
      await vi.advanceTimersByTimeAsync(250);
      await expect(pending).resolves.toMatchObject({ status: 'ok' });
      expect(attempts).toBe(3);
    });

    it('fails fast with READINESS_FAILED when the container dies while probing', async () => {
      const { docker, provision } = setup();
      docker.execHandler = (_cmd, container) => {
        container.exit(137);
        return { exitCode: 1 };
      };
      const pending = failureOf(provision({ kind: 'exec', cmd: ['true'], intervalMs: 100 }));
      await vi.advanceTimersByTimeAsync(100);
      const error = await pending;
      expect(error).toMatchObject({ code: 'READINESS_FAILED' });
      expect(error.message).toMatch(/exit code 137/);
    });
  });

  describe('output', () => {
    const MIB = 1024 * 1024;
    // Lets the fake's endless writers (setImmediate, not faked) and the probe's timers take turns.
    async function settle<T>(pending: Promise<T>, ms: number): Promise<T> {
      let done = false;
      void pending.finally(() => {
        done = true;
      });
      for (let t = 0; t < ms && !done; t += 50) {
        await new Promise((resolve) => setImmediate(resolve));
        await vi.advanceTimersByTimeAsync(50);
      }
      return pending;
    }

    it.each([
      ['exec on stdout', { kind: 'exec', cmd: ['cat', '/dev/zero'] }, 1],
      ['exec on stderr', { kind: 'exec', cmd: ['cat', '/dev/zero'] }, 2],
      ['tcp', { kind: 'tcp', port: 8080 }, 1],
      ['http', { kind: 'http', port: 80, path: '/' }, 2],
    ] satisfies Array<[string, ReadinessProbe, 1 | 2]>)(
      'cuts each %s attempt whose command prints without end (cat /dev/zero): bounded reads',
      async (_name, probe, stream) => {
        const { docker, provision } = setup();
        let attempts = 0;
        docker.execHandler = async (_cmd, _container, _options, io) => {
          attempts += 1;
          await io.flood(stream, Buffer.alloc(64 * 1024));
          return { exitCode: 0 };
        };
        const error = await settle(failureOf(provision({ ...probe, intervalMs: 1_000 })), 11_000);
        expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
        expect(error.message).toMatch(/printed 262144 bytes or more on one stream, so it was cut short/);
        expect(attempts).toBeGreaterThanOrEqual(5);
        const execs = docker.streams.filter((s): s is FakeExecStream => s instanceof FakeExecStream);
        expect(execs).toHaveLength(attempts);
        // What one attempt made the engine send: the cap, plus what was in flight when it closed the stream.
        for (const exec of execs) expect(exec.flooded).toBeLessThan(MIB);
        expect(docker.openStreams).toEqual([]);
      },
    );
  });

  describe('tcp', () => {
    it('reads /proc/net/tcp inside the container until the port listens', async () => {
      const { docker, provision } = setup();
      const seen: string[][] = [];
      docker.execHandler = (cmd) => {
        seen.push(cmd);
        return { exitCode: 0, stdout: seen.length < 2 ? '' : LISTENING_8080 };
      };
      const pending = provision({ kind: 'tcp', port: 8080 });
      await vi.advanceTimersByTimeAsync(100);
      await expect(pending).resolves.toMatchObject({ status: 'ok' });
      expect(seen).toEqual([
        ['cat', '/proc/net/tcp', '/proc/net/tcp6'],
        ['cat', '/proc/net/tcp', '/proc/net/tcp6'],
      ]);
    });

    it('does not pass for another port', async () => {
      const { docker, provision } = setup();
      docker.execHandler = () => ({ exitCode: 0, stdout: LISTENING_8080 });
      const pending = failureOf(provision({ kind: 'tcp', port: 3000 }));
      await vi.advanceTimersByTimeAsync(10_000);
      expect((await pending).message).toMatch(/last check: nothing listens on port 3000 \(listening: 8080\)/);
    });
  });

  describe('http', () => {
    it('fetches 127.0.0.1:PORT/PATH from inside the container with wget, else curl', async () => {
      const { docker, provision } = setup();
      const seen: string[][] = [];
      docker.execHandler = (cmd) => {
        seen.push(cmd);
        return seen.length < 2
          ? { exitCode: 1, stderr: 'wget: server returned error: HTTP/1.1 503 Service Unavailable\n' }
          : { exitCode: 0 };
      };
      const pending = provision({ kind: 'http', port: 8080, path: '/health' });
      await vi.advanceTimersByTimeAsync(100);
      await expect(pending).resolves.toMatchObject({ status: 'ok' });
      const cmd = seen[0] ?? [];
      expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
      expect(cmd[2]).toMatch(/wget -q -O \/dev\/null "\$1".*curl -fsS -o \/dev\/null "\$1"/);
      expect(cmd.at(-1)).toBe('http://127.0.0.1:8080/health');
    });
  });

  describe('healthcheck', () => {
    it("polls Docker's health status until healthy", async () => {
      const { docker, provision } = setup();
      let inspections = 0;
      docker.hooks.inspect = (c) => {
        inspections += 1;
        c.state.Health = { Status: inspections < 3 ? 'starting' : 'healthy' };
      };
      const pending = provision({ kind: 'healthcheck', intervalMs: 50 }, { healthcheck: { test: 'true' } });
      await vi.advanceTimersByTimeAsync(100);
      await expect(pending).resolves.toMatchObject({ status: 'ok' });
      expect(inspections).toBe(3);
      expect(docker.containers[0]?.config.Healthcheck?.Test).toEqual(['CMD-SHELL', 'true']);
    });

    it('fails with READINESS_FAILED when the container turns unhealthy, with the last check output', async () => {
      const { docker, provision } = setup();
      docker.hooks.inspect = (c) => {
        c.state.Health = { Status: 'unhealthy', Log: [{ ExitCode: 1, Output: 'connection refused\n' }] };
      };
      const error = await failureOf(provision({ kind: 'healthcheck' }));
      expect(error).toMatchObject({ code: 'READINESS_FAILED', phase: 'ready' });
      expect(error.message).toMatch(/is unhealthy \(last check exit 1: connection refused\)/);
      expect(docker.live).toEqual([]);
    });

    it('fails with READINESS_FAILED when there is no health check to wait for', async () => {
      const { provision } = setup();
      const error = await failureOf(provision({ kind: 'healthcheck' }));
      expect(error.message).toMatch(
        /has no health check: the image defines no HEALTHCHECK; give spec.healthcheck/,
      );
    });
  });

  describe('running', () => {
    it('passes when the container runs after start', async () => {
      const { provision } = setup();
      await expect(provision({ kind: 'running' })).resolves.toMatchObject({ status: 'ok' });
    });

    it('fails when it already exited, saying if it ran out of memory', async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => {
        c.exit(137);
        c.state.OOMKilled = true;
      };
      const error = await failureOf(provision({ kind: 'running' }));
      expect(error.message).toMatch(/exit code 137, killed for running out of memory\)/);
    });
  });
});
