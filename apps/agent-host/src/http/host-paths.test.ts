import { BootstrapError } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import { hideHostPaths } from './host-paths.js';
import { toHttpError } from './http-errors.js';

const LAYER = '3f9a1c0e6b2d4f8a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a';

describe('hideHostPaths', () => {
  it.each([
    [
      `mkdir /var/lib/docker/overlay2/${LAYER}/merged/etc/x: read-only file system`,
      'mkdir /etc/x: read-only file system',
    ],
    [`open /var/lib/docker/overlay2/${LAYER}-init/diff/tmp/a b: no space`, 'open /tmp/a b: no space'],
    [`lstat /var/lib/docker/overlay2/${LAYER}/merged: denied`, 'lstat /: denied'],
    [
      '"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/12/fs/usr/bin/x"',
      '"/usr/bin/x"',
    ],
    [`state in /run/containerd/io.containerd.runtime.v2.task/moby/${LAYER}/rootfs`, 'state in /'],
    [`runsc: /var/run/docker/runtime-runc/moby/${LAYER}/config.json failed`, 'runsc: <host path> failed'],
    [`mount /data/docker-root/overlay2/${LAYER}/merged/proc`, 'mount /proc'],
  ])('hides the host paths of %j', (text, hidden) => {
    expect(hideHostPaths(text)).toBe(hidden);
    expect(hideHostPaths(text)).not.toMatch(/overlay|containerd|runtime-runc|\/var\/lib/);
  });

  it("leaves the sandbox's own paths and the engine address alone", () => {
    for (const text of [
      'no such file /tmp/docker/overlay-notes.txt',
      'Docker engine not reachable at /var/run/docker.sock - start Docker or set DOCKER_HOST',
      'cd /home/user/project: not found',
    ]) {
      expect(hideHostPaths(text)).toBe(text);
    }
  });

  it('applies to every error the API answers with', () => {
    const error = new BootstrapError(
      'FILE_FAILED',
      `write /var/lib/docker/overlay2/${LAYER}/merged/etc/p failed`,
    );
    expect(toHttpError(error).body.error.message).toBe('write /etc/p failed');
    expect(toHttpError(new Error(`x /var/lib/docker/overlay2/${LAYER}/diff`)).body.error.message).toBe('x /');
  });
});
