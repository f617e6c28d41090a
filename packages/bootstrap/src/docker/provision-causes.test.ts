import { DockerAdapter, type DockerSandboxSpec } from '@sbx/bootstrap';
import { connectionError, FakeDocker, httpError } from '@sbx/bootstrap/testing';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeContainer } from './fake/fake-container.js';
import { failureOf } from './testing/failure-of.js';

const IMAGE = 'sbx-test/app:1';

function setup() {
  const docker = new FakeDocker([IMAGE]);
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({ docker, owner: 'host-1:42', logger, defaultTtlMs: 60_000 });
  const results: ProvisionResult[] = [];
  const provisioner = new SandboxProvisioner({ logger, recorder: { record: (r) => void results.push(r) } });
  const provision = (spec: Partial<DockerSandboxSpec> = {}, deadlineMs = 1_000) =>
    provisioner.provision({
      type: 'docker',
      deadlineMs,
      bootstrapFn: (ctx) => adapter.provision({ image: IMAGE, ...spec }, ctx),
    });
  return { docker, provision, results };
}

type Setup = ReturnType<typeof setup>;
type Case = [string, string, 'caller' | 'platform', (s: Setup) => Promise<unknown>];

// Each way a provisioning fails, the code it fails with and whose fault the record says it was.
const CASES: Case[] = [
  [
    'a misspelt image, pull never',
    'IMAGE_NOT_FOUND',
    'caller',
    (s) => s.provision({ image: 'nope:1', pull: 'never' }),
  ],
  [
    'an image the registry does not have',
    'IMAGE_NOT_FOUND',
    'caller',
    (s) => {
      s.docker.hooks.pull = () => {
        throw httpError(404, 'manifest for nope:1 not found: manifest unknown');
      };
      return s.provision({ image: 'nope:1' });
    },
  ],
  [
    'a command that exits at once',
    'READINESS_FAILED',
    'caller',
    (s) => {
      s.docker.hooks.afterStart = (c: FakeContainer) => c.exit(0);
      return s.provision({ cmd: ['true'] });
    },
  ],
  [
    'a command that does not exist (the engine answers 400)',
    'INVALID_SPEC',
    'caller',
    (s) => {
      s.docker.hooks.start = () => {
        throw httpError(400, 'exec: "nope": executable file not found in $PATH');
      };
      return s.provision({ cmd: ['nope'] });
    },
  ],
  [
    'a readiness check the command never passes',
    'DEADLINE_EXCEEDED',
    'caller',
    (s) => {
      s.docker.execHandler = () => ({ exitCode: 1, stderr: 'not yet\n' });
      return s.provision({ ready: { kind: 'exec', cmd: ['test', '-f', '/ok'], intervalMs: 100 } });
    },
  ],
  [
    'a log line that never comes',
    'DEADLINE_EXCEEDED',
    'caller',
    (s) => s.provision({ ready: { kind: 'log', pattern: 'never-printed' } }),
  ],
  [
    'an engine that is down',
    'ENGINE_UNREACHABLE',
    'platform',
    (s) => {
      s.docker.hooks.inspectImage = () => {
        throw connectionError('ECONNREFUSED');
      };
      return s.provision();
    },
  ],
  [
    'a start that hangs past the deadline',
    'DEADLINE_EXCEEDED',
    'platform',
    (s) => {
      s.docker.hooks.start = () => new Promise(() => {});
      return s.provision();
    },
  ],
  [
    'a pull of an existing image that fails (registry unreachable)',
    'PULL_FAILED',
    'platform',
    (s) => {
      s.docker.hooks.pull = () => {
        throw httpError(500, 'Get "https://r/v2/": dial tcp: lookup r: no such host');
      };
      return s.provision({ image: 'other:1' });
    },
  ],
  [
    'a container killed for memory at start',
    'READINESS_FAILED',
    'platform',
    (s) => {
      s.docker.hooks.afterStart = (c: FakeContainer) => c.oom();
      return s.provision();
    },
  ],
  [
    'an engine error while checking readiness',
    'READINESS_FAILED',
    'platform',
    (s) => {
      s.docker.hooks.inspect = (c: FakeContainer) => {
        if (c.started) throw httpError(500, 'engine hiccup');
      };
      return s.provision();
    },
  ],
  [
    'an engine error on create',
    'CREATE_FAILED',
    'platform',
    (s) => {
      s.docker.hooks.create = () => {
        throw httpError(500, 'no space left on device');
      };
      return s.provision();
    },
  ],
];

describe('the cause a failed docker provisioning is recorded with', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(CASES)('%s: %s, the %s', async (_what, code, cause, run) => {
    const s = setup();
    const failure = failureOf(run(s) as Promise<unknown>);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await failure;
    expect(error).toMatchObject({ code, failureCause: cause });
    expect(s.results).toHaveLength(1);
    expect(s.results[0]?.error).toMatchObject({ code, cause });
    expect(s.docker.live).toEqual([]);
  });
});
