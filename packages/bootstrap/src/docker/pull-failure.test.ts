import { DockerAdapter } from '@sbx/bootstrap';
import { FakeDocker, type FakePullFailure, pullError } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { describe, expect, it, vi } from 'vitest';
import { failureOf } from './testing/failure-of.js';

// Each way a registry can fail a pull: the code, whether a later try can help, and what the caller reads.
const CASES: Array<[FakePullFailure, 'IMAGE_NOT_FOUND' | 'PULL_FAILED', boolean, RegExp]> = [
  ['not-found', 'IMAGE_NOT_FOUND', false, /the registry has no such image/],
  ['manifest-unknown', 'IMAGE_NOT_FOUND', false, /the registry has no such image/],
  ['unauthorized', 'PULL_FAILED', false, /the registry refused access \(log the engine in/],
  ['denied', 'PULL_FAILED', false, /the registry refused access/],
  ['no-such-host', 'PULL_FAILED', false, /the registry's host name does not resolve/],
  ['connection-refused', 'PULL_FAILED', true, /could not be reached or was busy/],
  ['timeout', 'PULL_FAILED', true, /could not be reached or was busy/],
  ['too-many-requests', 'PULL_FAILED', true, /could not be reached or was busy/],
];

function setup() {
  const docker = new FakeDocker();
  const adapter = new DockerAdapter({ docker, logger: { warn: vi.fn(), error: vi.fn() } });
  const provisioner = new SandboxProvisioner({ logger: { warn: vi.fn(), error: vi.fn() } });
  const provision = (image: string) =>
    provisioner.provision({
      type: 'docker',
      bootstrapFn: (ctx) => adapter.provision({ image, pull: 'missing' }, ctx),
    });
  return { docker, provision };
}

describe('a pull the registry fails', () => {
  it.each(CASES)(
    '%s: %s, retryable %s, one line of sbx, never the engine text',
    async (kind, code, retryable, why) => {
      const { docker, provision } = setup();
      const image = '127.0.0.1:5999/x/y:z';
      docker.pullFailures.set(image, kind);
      const engineText = (pullError(kind, image) as Error & { json: { message: string } }).json.message;
      const error = await failureOf(provision(image));
      expect(error).toMatchObject({ code, retryable, phase: 'image' });
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(
        new RegExp(`^pulling image ${image.replace(/[.]/g, '\\.')} failed: [^\\n]+$`),
      );
      // Nothing the engine said comes back: not its text, not the addresses it tried, not how they answered.
      expect(error.message).not.toContain(engineText);
      expect(error.message).not.toMatch(/dial tcp|127\.0\.0\.53|connect:|lookup|Client\.Timeout|https:/);
      expect(docker.pulls).toEqual([image]);
      expect(docker.containers).toEqual([]);
    },
  );

  it('an image with no registry host fails the same way', async () => {
    const { docker, provision } = setup();
    docker.pullFailures.set('alpine', 'no-such-host');
    const error = await failureOf(provision('alpine'));
    expect(error).toMatchObject({ code: 'PULL_FAILED', retryable: false });
    expect(error.message).not.toContain('registry.invalid');
  });
});
