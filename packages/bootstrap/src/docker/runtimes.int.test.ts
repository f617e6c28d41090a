// gVisor (runsc) on the real engine, with the adapter's hardening: read-only rootfs with the tmpfs-backed /tmp
// volume, every capability dropped, a pids limit, files through the archive API and streamed exec output.
// Traffic stays on loopback: the egress sandbox's configuration is inspected, never used.
import { release } from 'node:os';
import { DockerAdapter, type DockerSandbox, type DockerSandboxSpec } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  containersOwnedBy,
  docker,
  GVISOR_RUNTIME,
  removeContainersOf,
  requireRunsc,
  skipWithoutRunsc,
} from './testing/real-engine.js';

const RUN = `int-runtime-${process.pid}-${Date.now()}`;
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner: RUN, logger: silent });
const results: ProvisionResult[] = [];
const provisioner = new SandboxProvisioner({
  logger: silent,
  recorder: { record: (r) => void results.push(r) },
});

async function sandbox(spec: Partial<DockerSandboxSpec> = {}): Promise<DockerSandbox> {
  const { value } = await provisioner.provision({
    type: 'docker',
    deadlineMs: 30_000,
    bootstrapFn: (ctx) =>
      adapter.provision(
        { image: DOCKER_TEST_IMAGE, pull: 'never', cmd: ['sleep', '3600'], readOnlyRootfs: true, ...spec },
        ctx,
      ),
  });
  return value;
}

describe.skipIf(skipWithoutRunsc)('sandboxes on gVisor (runsc, real engine)', () => {
  beforeEach(requireRunsc);
  afterAll(() => removeContainersOf(RUN));

  it("provisions on runsc, runs under gVisor's kernel with the hardening in force, and is removed", async () => {
    // The default pids limit (256): under gVisor it counts the Sentry's host threads (about 40 idle, more per
    // busy process), so a small one (64) starves the sandbox until its commands hang. docs/security.md says so.
    const box = await sandbox({ runtime: GVISOR_RUNTIME });
    try {
      expect(box).toMatchObject({ runtime: GVISOR_RUNTIME, network: 'none' });
      expect(results.at(-1)?.attributes).toEqual({ runtime: GVISOR_RUNTIME, network: 'none' });
      const inspected = await docker.getContainer(box.containerId).inspect();
      expect((inspected as unknown as { HostConfig: { Runtime: string } }).HostConfig.Runtime).toBe(
        GVISOR_RUNTIME,
      );

      const kernel = await box.exec(['uname', '-r']);
      expect(kernel.exitCode).toBe(0);
      // gVisor answers with its own kernel version, not the host's.
      expect(kernel.stdout.trim()).not.toBe(release());

      const checks = await box.exec([
        'sh',
        '-c',
        'touch /rootfs-write 2>/dev/null && echo rootfs-writable; echo ok > /tmp/x && cat /tmp/x; grep CapEff /proc/self/status',
      ]);
      expect(checks.stdout).not.toContain('rootfs-writable');
      expect(checks.stdout).toContain('ok\n');
      expect(checks.stdout).toMatch(/CapEff:\s+0+\n/);

      await box.files.writeFile('/tmp/hello.txt', Buffer.from('from the archive API'));
      expect((await box.exec(['cat', '/tmp/hello.txt'])).stdout).toBe('from the archive API');
      const read = await box.files.readFile('/tmp/hello.txt');
      const chunksRead: Buffer[] = [];
      for await (const chunk of read.body) chunksRead.push(Buffer.from(chunk));
      expect(Buffer.concat(chunksRead).toString()).toBe('from the archive API');

      const chunks: string[] = [];
      const streamed = await box.exec(['sh', '-c', 'echo one; sleep 0.2; echo two'], {
        onOutput: (_stream, chunk) => chunks.push(Buffer.from(chunk).toString()),
      });
      expect(streamed.stdout).toBe('one\ntwo\n');
      expect(chunks.join('')).toBe('one\ntwo\n');
    } finally {
      await box.dispose();
    }
    expect(await containersOwnedBy(RUN)).toEqual([]);
  });

  it('runs on runc by default, recorded by name, with a different kernel than gVisor', async () => {
    const box = await sandbox();
    try {
      expect(box.runtime).toBe((await adapter.listRuntimes()).default);
      expect(results.at(-1)?.attributes?.runtime).toBe(box.runtime);
      expect((await box.exec(['uname', '-r'])).stdout.trim()).toBe(release());
    } finally {
      await box.dispose();
    }
  });

  it('an unknown runtime is RUNTIME_NOT_FOUND naming what the engine has, and leaves no container', async () => {
    const error = await sandbox({ runtime: 'no-such-runtime' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RUNTIME_NOT_FOUND' });
    expect((error as Error).message).toMatch(
      /has no runtime "no-such-runtime"; it has .*runc \(default\).*runsc/,
    );
    expect(await containersOwnedBy(RUN)).toEqual([]);
  });

  it('egress is the engine bridge (inspected, not used); none is none; egress on runsc --network=none is refused', async () => {
    const egress = await sandbox({ network: 'egress' });
    const none = await sandbox();
    try {
      const mode = async (box: DockerSandbox) =>
        (
          (await docker.getContainer(box.containerId).inspect()) as unknown as {
            HostConfig: { NetworkMode: string };
          }
        ).HostConfig.NetworkMode;
      expect(await mode(egress)).toBe('bridge');
      expect(await mode(none)).toBe('none');
      expect(results.at(-2)?.attributes?.network).toBe('egress');
      const runtimes = await adapter.listRuntimes();
      expect(runtimes.runtimes.find((r) => r.name === GVISOR_RUNTIME)?.networkNone).toBe(true);
      await expect(sandbox({ runtime: GVISOR_RUNTIME, network: 'egress' })).rejects.toMatchObject({
        code: 'INVALID_SPEC',
        message: expect.stringContaining('--network=none'),
      });
    } finally {
      await Promise.all([egress.dispose(), none.dispose()]);
    }
    expect(await containersOwnedBy(RUN)).toEqual([]);
  });
});
