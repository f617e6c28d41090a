// The agent through DockerAdapter on the real engine, runc and runsc (busybox, no network): exec, background
// processes seen from a second client, stdin, cwd/env/user, a PTY with a resize, a watch, a port tunnel to
// busybox httpd, the INVALID_SPEC of a command that cannot start, the fallback when the agent cannot listen, and
// nothing left on the host after dispose. One sandbox per runtime is shared by the tests.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DockerAdapter,
  type DockerSandbox,
  type ReadinessProbe,
  SandboxAgent,
  UnixSocketTransport,
} from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  GVISOR_RUNTIME,
  removeContainersOf,
  requireEngine,
  requireRunsc,
  skipWithoutEngine,
  skipWithoutRunsc,
} from '../testing/real-engine.js';

const RUN = `int-agent-${process.pid}-${Date.now()}`;
const root = mkdtempSync(join(tmpdir(), 'sbx-agent-int-'));
const agentDir = join(root, 'agents');
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent, agentDir });
const provisioner = new SandboxProvisioner({ logger: silent });
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

beforeAll(() => {
  const pkg = fileURLToPath(new URL('../../..', import.meta.url));
  execFileSync(process.execPath, [join(pkg, 'scripts/build-agent.mjs')], { stdio: 'inherit' });
}, 300_000);

afterAll(async () => {
  await removeContainersOf(RUN);
  rmSync(root, { recursive: true, force: true });
});

async function provision(runtime: string, cmd = ['sleep', '3600'], on = adapter, ready?: ReadinessProbe) {
  const spec = {
    image: DOCKER_TEST_IMAGE,
    pull: 'never' as const,
    cmd,
    runtime,
    ...(ready ? { ready } : {}),
  };
  const { value } = await provisioner.provision({
    type: 'docker',
    deadlineMs: 30_000,
    bootstrapFn: (ctx) => on.provision(spec, ctx),
  });
  return value;
}

for (const runtime of ['runc', GVISOR_RUNTIME]) {
  const skip = runtime === 'runc' ? skipWithoutEngine : skipWithoutRunsc;
  describe.skipIf(skip)(`the in-sandbox agent on ${runtime} (real engine)`, () => {
    let sandbox: DockerSandbox;
    let agent: SandboxAgent;
    let second: SandboxAgent;

    beforeAll(async () => {
      if (runtime === 'runc') requireEngine();
      else requireRunsc();
      sandbox = await provision(runtime);
      if (!sandbox.agent) throw new Error('the sandbox came up without its agent');
      agent = sandbox.agent;
      const socket = join(agentDir, sandbox.id, 'agent.sock');
      second = new SandboxAgent({ transport: new UnixSocketTransport(socket), sandboxId: sandbox.id });
    }, 60_000);

    it('runs exec through the agent with stdin, cwd, env and user', async () => {
      expect(await sandbox.exec('echo hi; echo err >&2; exit 3')).toEqual({
        exitCode: 3,
        stdout: 'hi\n',
        stderr: 'err\n',
        stdoutTruncated: false,
        stderrTruncated: false,
      });
      expect((await sandbox.exec(['cat'], { stdin: 'fed in' })).stdout).toBe('fed in');
      const where = await sandbox.exec('pwd; echo $A', { workingDir: '/tmp', env: { A: 'from env' } });
      expect(where.stdout).toBe('/tmp\nfrom env\n');
      expect((await agent.run(['id', '-u'], { user: '1000' })).stdout).toBe('1000\n');
      expect((await sandbox.exec(['no-such-command'])).exitCode).toBe(127);
      await expect(sandbox.exec(['sleep', '10'], { timeoutMs: 200 })).rejects.toMatchObject({
        code: 'EXEC_TIMEOUT',
      });
      await expect.poll(async () => (await agent.ps()).filter((p) => p.running).length).toBe(0);
    });

    it('keeps a background sleep 30 that a second client lists, re-attaches to and kills', async () => {
      const started = await agent.start(['sh', '-c', 'echo up; sleep 30'], { tag: 'bg' });
      started.close();
      const listed = (await second.ps()).find((p) => p.pid === started.pid);
      expect(listed).toMatchObject({
        cmd: ['sh', '-c', 'echo up; sleep 30'],
        tag: 'bg',
        running: true,
        background: true,
      });
      const attached = await second.attach(started.pid);
      const output: Uint8Array[] = [];
      const reading = (async () => {
        for await (const { chunk } of attached.output()) output.push(chunk);
      })();
      await expect.poll(() => text(output)).toBe('up\n');
      await second.signal(started.pid, 'SIGKILL');
      await reading;
      expect(await attached.wait()).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
      expect((await agent.ps()).find((p) => p.pid === started.pid)).toMatchObject({ running: false });
    });

    it('runs sh on a PTY and resizes it', async () => {
      const shell = await agent.start(['sh'], {
        tty: { cols: 80, rows: 24 },
        stdin: true,
        background: false,
      });
      const output: Uint8Array[] = [];
      const reading = (async () => {
        for await (const { chunk } of shell.output()) output.push(chunk);
      })();
      await shell.sendStdin('stty size\n');
      await expect.poll(() => text(output)).toMatch(/24 80/);
      await shell.resize(100, 40);
      await shell.sendStdin('stty size; exit 5\n');
      await reading;
      expect(text(output)).toMatch(/40 100/);
      expect(await shell.wait()).toMatchObject({ exitCode: 5 });
    });

    it('watches a directory: created, modified, removed', async () => {
      await agent.mkdir('/tmp/watched');
      const controller = new AbortController();
      const seen: string[] = [];
      const watching = (async () => {
        try {
          for await (const event of agent.watch('/tmp/watched', {
            recursive: true,
            signal: controller.signal,
          })) {
            if (event.path === '/tmp/watched/f') seen.push(event.type);
          }
        } catch {
          // aborted
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sandbox.exec(
        'echo 1 > /tmp/watched/f; sleep 0.1; echo 2 >> /tmp/watched/f; sleep 0.1; rm /tmp/watched/f',
      );
      await expect.poll(() => seen.includes('remove')).toBe(true);
      controller.abort();
      await watching;
      expect(seen[0]).toBe('create');
      expect(seen).toContain('write');
      expect(seen.at(-1)).toBe('remove');
    });

    it('tunnels a port to busybox httpd on the sandbox loopback, and files go through the agent', async () => {
      await sandbox.files.writeFile('/tmp/www/index.html', Buffer.from('served from inside\n'));
      expect(await sandbox.files.stat('/tmp/www/index.html')).toMatchObject({ type: 'file', size: 19 });
      const httpd = await agent.start(['httpd', '-f', '-p', '127.0.0.1:3000', '-h', '/tmp/www']);
      let body = '';
      await expect
        .poll(async () => {
          const stream = await agent.openPort(3000).catch(() => undefined);
          if (!stream) return '';
          stream.end('GET /index.html HTTP/1.0\r\n\r\n');
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          body = Buffer.concat(chunks).toString();
          return body;
        })
        .toMatch(/200 OK/);
      expect(body).toMatch(/served from inside\n$/);
      await httpd.signal('SIGKILL');
      const read = await sandbox.files.readFile('/tmp/www/index.html');
      const chunks: Uint8Array[] = [];
      for await (const chunk of read.body) chunks.push(chunk);
      expect(text(chunks)).toBe('served from inside\n');
    });

    it('says INVALID_SPEC for a command that cannot start, with the agent wrapping it', async () => {
      // A probe that waits on the command sees the exit ('running' may pass before the agent tried the exec).
      const ready = { kind: 'log', pattern: '^ready$' } as const;
      await expect(provision(runtime, ['/no/such/binary'], adapter, ready)).rejects.toMatchObject({
        code: 'INVALID_SPEC',
        phase: 'start',
        message: expect.stringMatching(/exec \/no\/such\/binary failed: No such file or directory/),
      });
    }, 30_000);

    it('falls back to Docker exec when the agent cannot listen, and leaves nothing on the host after dispose', async () => {
      // An "agent" that cannot listen (as sbx-agent does when it cannot create its socket): it runs the command.
      const mute = join(root, `mute-agent-${runtime}`);
      writeFileSync(mute, '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n');
      chmodSync(mute, 0o755);
      const muteAdapter = new DockerAdapter({
        docker,
        owner: RUN,
        logger: silent,
        agentDir,
        agentBinary: mute,
        agentTimeoutMs: 500,
      });
      const fallback = await provision(runtime, ['sleep', '3600'], muteAdapter);
      expect(fallback.agent).toBeUndefined();
      expect((await fallback.exec('echo by docker exec')).stdout).toBe('by docker exec\n');
      await fallback.dispose();
      const dir = join(agentDir, sandbox.id);
      expect(existsSync(join(dir, 'agent.sock'))).toBe(true);
      await sandbox.dispose();
      expect(existsSync(dir)).toBe(false);
      expect(existsSync(join(agentDir, fallback.id))).toBe(false);
      await expect(docker.getContainer(sandbox.containerId).inspect()).rejects.toMatchObject({
        statusCode: 404,
      });
    }, 30_000);
  });
}
