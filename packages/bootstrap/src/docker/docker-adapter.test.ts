import { DockerAdapter, type DockerSandboxSpec, MAX_SANDBOX_TTL_MS } from '@sbx/bootstrap';
import { connectionError, FakeDocker, httpError } from '@sbx/bootstrap/testing';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SBX_LABELS } from './container-config.js';
import { failureOf } from './testing/failure-of.js';

const IMAGE = 'sbx-test/app:1';
const NOW = Date.parse('2026-11-22T10:00:00.000Z');

function setup() {
  const docker = new FakeDocker([IMAGE]);
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({
    docker,
    owner: 'host-1:42',
    logger,
    defaultTtlMs: 60_000,
    wallClock: { now: () => new Date(NOW) },
  });
  const results: ProvisionResult[] = [];
  const provisioner = new SandboxProvisioner({ logger, recorder: { record: (r) => void results.push(r) } });
  const provision = (
    spec: Partial<DockerSandboxSpec> = {},
    options: { deadlineMs?: number; signal?: AbortSignal } = {},
  ) =>
    provisioner.provision({
      type: 'docker',
      ...options,
      bootstrapFn: (ctx) => adapter.provision({ image: IMAGE, ...spec }, ctx),
    });
  const phasesOf = () => results.at(-1)?.phases?.map((p) => p.name);
  return { docker, logger, adapter, provision, results, phasesOf };
}

describe('DockerAdapter.provision', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the phases image, create, start, ready and returns a labelled, running sandbox', async () => {
    const { docker, provision, phasesOf } = setup();
    const { value: sandbox } = await provision({ cmd: ['sleep', '60'] });
    expect(phasesOf()).toEqual(['image', 'create', 'start', 'ready']);
    expect(sandbox).toMatchObject({ type: 'docker', containerId: 'c1', imageSource: 'local', image: IMAGE });
    expect(sandbox?.id).toMatch(/^sbx-[0-9a-f]{12}$/);
    expect(sandbox?.expiresAt).toEqual(new Date(NOW + 60_000));
    const [container] = docker.containers;
    expect(container?.name).toBe(sandbox?.id);
    expect(container?.config.Cmd).toEqual(['sleep', '60']);
    expect(container?.config.Labels).toMatchObject({
      [SBX_LABELS.managedBy]: 'sbx',
      [SBX_LABELS.owner]: 'host-1:42',
      [SBX_LABELS.expiresAt]: String(NOW + 60_000),
      [SBX_LABELS.sandboxId]: sandbox?.id,
    });
    expect(container?.state.Running).toBe(true);
    // The first provisioning reads the engine's runtimes once, in its create phase.
    expect(docker.calls.map((c) => c.split(' ')[0])).toEqual([
      'inspect-image',
      'info',
      'create',
      'start',
      'inspect',
    ]);
  });

  describe('runtime and network', () => {
    it("records the engine's default runtime by name and the network, reading the runtimes once", async () => {
      const { docker, provision, results } = setup();
      const { value: sandbox } = await provision();
      await provision();
      expect(results.map((r) => r.attributes)).toEqual([
        { runtime: 'runc', network: 'none' },
        { runtime: 'runc', network: 'none' },
      ]);
      expect(sandbox).toMatchObject({ runtime: 'runc', network: 'none' });
      expect(docker.calls.filter((c) => c === 'info')).toHaveLength(1);
      expect(docker.containers[0]?.config.HostConfig).not.toHaveProperty('Runtime');
    });

    it('an engine that does not list its default runtime is not asked again on every provisioning', async () => {
      const { docker, provision, results } = setup();
      docker.runtimes = { runsc: { path: '/usr/bin/runsc' } };
      await provision();
      await provision();
      expect(results.map((r) => r.attributes?.runtime)).toEqual(['runc', 'runc']);
      expect(docker.calls.filter((c) => c === 'info')).toHaveLength(1);
    });

    it('runs on the runtime the spec names, with egress on the bridge', async () => {
      const { docker, provision, results } = setup();
      docker.runtimes = { runc: { path: 'runc' }, kata: { path: '/usr/bin/kata-runtime' } };
      const { value: sandbox } = await provision({ runtime: 'kata', network: 'egress' });
      expect(docker.containers[0]?.config.HostConfig).toMatchObject({
        Runtime: 'kata',
        NetworkMode: 'bridge',
      });
      expect(sandbox).toMatchObject({ runtime: 'kata', network: 'egress' });
      expect(results[0]?.attributes).toEqual({ runtime: 'kata', network: 'egress' });
    });

    it('a runtime the engine lacks is RUNTIME_NOT_FOUND naming what it has, before any create', async () => {
      const { docker, provision, results } = setup();
      docker.runtimes = { runc: { path: 'runc' }, runsc: { path: '/usr/bin/runsc' } };
      const error = await failureOf(provision({ runtime: 'kata' }));
      expect(error).toMatchObject({ code: 'RUNTIME_NOT_FOUND', phase: 'create' });
      expect(error.message).toBe(
        'the Docker engine has no runtime "kata"; it has runc (default), runsc (register one in its daemon.json "runtimes", then reload dockerd)',
      );
      expect(docker.containers).toHaveLength(0);
      // Not in the cache: the engine was asked again (it may have been reloaded meanwhile).
      expect(docker.calls.filter((c) => c === 'info')).toHaveLength(2);
      expect(results[0]?.error?.code).toBe('RUNTIME_NOT_FOUND');
    });

    it('a runtime added by an engine reload is found; one the engine dropped since is RUNTIME_NOT_FOUND', async () => {
      const { docker, adapter, provision } = setup();
      expect((await adapter.listRuntimes()).runtimes.map((r) => r.name)).toEqual(['runc']);
      docker.runtimes = { runc: { path: 'runc' }, runsc: { path: '/usr/bin/runsc' } };
      await provision({ runtime: 'runsc' });
      docker.runtimes = { runc: { path: 'runc' } };
      const error = await failureOf(provision({ runtime: 'runsc' }));
      expect(error).toMatchObject({
        code: 'RUNTIME_NOT_FOUND',
        message: expect.stringContaining('it has runc (default)'),
      });
      expect(docker.live).toHaveLength(1);
    });

    it('refuses egress on a runtime registered with --network=none (it would have loopback only)', async () => {
      const { docker, provision } = setup();
      docker.runtimes = {
        runc: { path: 'runc' },
        runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] },
      };
      const error = await failureOf(provision({ runtime: 'runsc', network: 'egress' }));
      expect(error).toMatchObject({
        code: 'INVALID_SPEC',
        message: expect.stringMatching(/runsc is registered with --network=none/),
      });
      expect(docker.containers).toHaveLength(0);
      await provision({ runtime: 'runsc' });
      expect(docker.live).toHaveLength(1);
    });

    it('lists the runtimes with their arguments and the default; an unreachable engine is ENGINE_UNREACHABLE', async () => {
      const { docker, adapter } = setup();
      docker.runtimes = {
        runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] },
        runc: { path: 'runc' },
      };
      expect(await adapter.listRuntimes()).toEqual({
        default: 'runc',
        runtimes: [
          { name: 'runc', path: 'runc', args: [], networkNone: false },
          { name: 'runsc', path: '/usr/bin/runsc', args: ['--network=none'], networkNone: true },
        ],
      });
      docker.hooks.info = () => {
        throw connectionError('ECONNREFUSED');
      };
      await expect(adapter.listRuntimes({ fresh: true })).rejects.toMatchObject({
        code: 'ENGINE_UNREACHABLE',
      });
    });
  });

  it('stamps expiry from the spec ttl when given', async () => {
    const { docker, provision } = setup();
    await provision({ ttlMs: 5_000 });
    expect(docker.containers[0]?.config.Labels?.[SBX_LABELS.expiresAt]).toBe(String(NOW + 5_000));
  });

  it('accepts a ttl of MAX_SANDBOX_TTL_MS and rejects a longer one before calling the engine', async () => {
    const { docker, provision } = setup();
    await provision({ ttlMs: MAX_SANDBOX_TTL_MS });
    expect(docker.containers[0]?.config.Labels?.[SBX_LABELS.expiresAt]).toBe(
      String(NOW + MAX_SANDBOX_TTL_MS),
    );
    const calls = docker.calls.length;
    const error = await failureOf(provision({ ttlMs: 9e15 }));
    expect(error).toMatchObject({ code: 'INVALID_SPEC' });
    expect(error.message).toMatch(/ttlMs .* MAX_SANDBOX_TTL_MS \(604800000, one week\)/);
    expect(docker.calls).toHaveLength(calls);
  });

  it('refuses a defaultTtlMs beyond MAX_SANDBOX_TTL_MS', () => {
    expect(
      () => new DockerAdapter({ docker: new FakeDocker(), defaultTtlMs: MAX_SANDBOX_TTL_MS + 1 }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_SPEC',
        message: expect.stringMatching(/defaultTtlMs must be/),
      }),
    );
  });

  it('rejects an invalid spec before calling the engine', async () => {
    const { docker, provision } = setup();
    const error = await failureOf(provision({ resources: { pids: -1 } }));
    expect(error).toMatchObject({ code: 'INVALID_SPEC' });
    expect(docker.calls).toEqual([]);
  });

  describe('image', () => {
    it('pulls a missing image when pull is missing (the default) and says so', async () => {
      const { docker, provision } = setup();
      const { value } = await provision({ image: 'other:2' });
      expect(docker.pulls).toEqual(['other:2']);
      expect(value?.imageSource).toBe('pulled');
    });

    it('pulls even a local image when pull is always', async () => {
      const { docker, provision } = setup();
      const { value } = await provision({ pull: 'always' });
      expect(docker.pulls).toEqual([IMAGE]);
      expect(value?.imageSource).toBe('pulled');
    });

    it('fails with IMAGE_NOT_FOUND and creates nothing when the image is missing and pull is never', async () => {
      const { docker, provision, phasesOf } = setup();
      const error = await failureOf(provision({ image: 'other:2', pull: 'never' }));
      expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND', phase: 'image', retryable: false });
      expect(error.message).toMatch(
        /image other:2 is not on the engine and pull is 'never' - build or load it there first \(docker build, docker load\)/,
      );
      expect(docker.pulls).toEqual([]);
      expect(docker.containers).toEqual([]);
      expect(phasesOf()).toEqual(['image']);
    });

    it.each([
      ['manifest for nope:1 not found: manifest unknown', 'IMAGE_NOT_FOUND', false],
      [
        'Get "https://127.0.0.1:5999/v2/": dial tcp: lookup x on 127.0.0.53:53: no such host',
        'PULL_FAILED',
        false,
      ],
      [
        'Get "https://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused',
        'PULL_FAILED',
        true,
      ],
    ])(
      'reads a pull failure from the progress stream, in its own words: %s -> %s',
      async (message, code, retryable) => {
        const { docker, provision } = setup();
        docker.hooks.pull = async () => {
          const { PassThrough } = await import('node:stream');
          const stream = new PassThrough();
          stream.end(
            `{"status":"Pulling"}\n{"errorDetail":{"message":${JSON.stringify(message)}},"error":"x"}\n`,
          );
          return stream;
        };
        const error = await failureOf(provision({ image: 'nope:1' }));
        expect(error).toMatchObject({ code, retryable, phase: 'image' });
        expect(error.message).toMatch(/^pulling image nope:1 failed: [^\n]+$/);
        expect(error.message).not.toContain('127.0.0');
        expect(docker.containers).toEqual([]);
      },
    );

    it('maps a socket that is not there to a retryable ENGINE_UNREACHABLE naming it', async () => {
      const { docker, provision } = setup();
      docker.hooks.inspectImage = () => {
        throw connectionError('ENOENT');
      };
      const error = await failureOf(provision());
      expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', retryable: true, phase: 'image' });
      expect(error.message).toMatch(
        /^Docker engine not reachable at \/var\/run\/docker.sock - start Docker or set DOCKER_HOST/,
      );
      expect((error.cause as { code: string }).code).toBe('ENOENT');
    });
  });

  describe('failures remove the container before the error propagates', () => {
    it('INVALID_SPEC: the engine refused the config as an invalid argument (400)', async () => {
      const { docker, provision, phasesOf } = setup();
      docker.hooks.create = () => {
        throw httpError(400, 'invalid reference format');
      };
      const error = await failureOf(provision());
      expect(error).toMatchObject({ code: 'INVALID_SPEC', phase: 'create', retryable: false });
      expect(error.message).toMatch(
        /^creating container sbx-\w+ from sbx-test\/app:1 failed: invalid reference format/,
      );
      expect(docker.live).toEqual([]);
      expect(phasesOf()).toEqual(['image', 'create', 'cleanup']);
    });

    it('IMAGE_NOT_FOUND: the image vanished between inspect and create', async () => {
      const { docker, provision } = setup();
      docker.hooks.create = () => {
        docker.images.clear();
      };
      expect(await failureOf(provision())).toMatchObject({ code: 'IMAGE_NOT_FOUND', phase: 'create' });
    });

    it('INVALID_SPEC: the command does not exist (the engine answers 400)', async () => {
      const { docker, provision, phasesOf } = setup();
      docker.hooks.start = () => {
        throw httpError(400, 'OCI runtime create failed: exec: "nope": executable file not found in $PATH');
      };
      const error = await failureOf(provision({ cmd: ['nope'] }));
      expect(error).toMatchObject({ code: 'INVALID_SPEC', phase: 'start' });
      expect(error.message).toMatch(/executable file not found in \$PATH; container sbx-\w+ removed$/);
      expect(docker.containers).toHaveLength(1);
      expect(docker.live).toEqual([]);
      expect(phasesOf()).toEqual(['image', 'create', 'start', 'cleanup']);
    });

    it('READINESS_FAILED: the container exited before it was ready', async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => c.exit(3);
      const error = await failureOf(provision());
      expect(error).toMatchObject({ code: 'READINESS_FAILED', phase: 'ready' });
      expect(error.message).toMatch(/is exited \(exit code 3\) and never became ready/);
      expect(docker.live).toEqual([]);
    });

    it('keeps the original error, says the container was left, and logs it, when removal fails too', async () => {
      const { docker, provision, logger } = setup();
      docker.hooks.start = () => {
        throw httpError(500, 'cannot start');
      };
      docker.hooks.remove = () => {
        throw httpError(500, 'device busy');
      };
      const error = await failureOf(provision());
      expect(error).toMatchObject({ code: 'START_FAILED' });
      expect(error.message).toMatch(
        /could not be removed \(.*device busy\); reap\(\) removes it once expired$/,
      );
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringMatching(/could not remove container sbx-/),
        expect.anything(),
      );
    });
  });

  describe('one deadline bounds every phase and names the phase that used up the time', () => {
    it('image: a pull that hangs is cancelled through the signal', async () => {
      const { docker, provision, phasesOf } = setup();
      let pullSignal: AbortSignal | undefined;
      docker.hooks.pull = (_name, signal) => {
        pullSignal = signal;
        return new Promise(() => {});
      };
      const failure = failureOf(provision({ image: 'big:1' }, { deadlineMs: 1_000 }));
      await vi.advanceTimersByTimeAsync(1_000);
      const error = await failure;
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'image', retryable: true });
      expect(error.message).toBe('provisioning deadline exceeded during the image phase after 1000 ms');
      expect(pullSignal?.aborted).toBe(true);
      expect(docker.calls.some((c) => c.startsWith('create'))).toBe(false);
      expect(phasesOf()).toEqual(['image']);
    });

    it('create: a container whose create answers after the deadline is still removed', async () => {
      const { docker, provision, phasesOf } = setup();
      docker.hooks.create = () => new Promise((resolve) => setTimeout(resolve, 3_000));
      const failure = failureOf(provision({}, { deadlineMs: 1_000 }));
      await vi.advanceTimersByTimeAsync(3_000);
      const error = await failure;
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'create' });
      expect(docker.containers).toHaveLength(1);
      expect(docker.live).toEqual([]);
      expect(phasesOf()).toEqual(['image', 'create', 'cleanup']);
    });

    it('start: a start that hangs does not hold the error; the container is removed', async () => {
      const { docker, provision, results } = setup();
      docker.hooks.start = () => new Promise(() => {});
      const failure = failureOf(provision({}, { deadlineMs: 1_000 }));
      await vi.advanceTimersByTimeAsync(1_000);
      const error = await failure;
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'start' });
      expect(error.message).toMatch(/during the start phase after 1000 ms; container sbx-\w+ removed$/);
      expect(docker.live).toEqual([]);
      const start = results[0]?.phases?.find((p) => p.name === 'start');
      expect(start?.startMs).toBe(0);
      expect(start?.durationMs).toBe(1_000);
    });

    it('ready: a probe that never passes; the error says what it saw last', async () => {
      const { docker, provision, phasesOf } = setup();
      docker.execHandler = () => ({ exitCode: 1, stderr: 'not yet\n' });
      const failure = failureOf(
        provision(
          { ready: { kind: 'exec', cmd: ['test', '-f', '/tmp/ok'], intervalMs: 100 } },
          { deadlineMs: 1_000 },
        ),
      );
      await vi.advanceTimersByTimeAsync(1_000);
      const error = await failure;
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'ready' });
      expect(error.message).toMatch(
        /during the ready phase after 1000 ms \(last check: exit 1: not yet\); container/,
      );
      expect(docker.live).toEqual([]);
      expect(docker.containers[0]?.execs.length).toBeGreaterThanOrEqual(10);
      expect(phasesOf()).toEqual(['image', 'create', 'start', 'ready', 'cleanup']);
    });

    it('ready: a log line that never comes', async () => {
      const { docker, provision } = setup();
      docker.hooks.afterStart = (c) => c.print('booting\n');
      const failure = failureOf(provision({ ready: { kind: 'log', pattern: 'ready' } }, { deadlineMs: 500 }));
      await vi.advanceTimersByTimeAsync(500);
      const error = await failure;
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'ready' });
      expect(error.message).toMatch(
        /\(last check: 1 output lines, none matching \/ready\/; last: "booting"\)/,
      );
      expect(docker.live).toEqual([]);
    });

    it('a caller that gives up gets ABORTED (not retryable), and the container is removed', async () => {
      const { docker, provision } = setup();
      const controller = new AbortController();
      docker.hooks.start = () => {
        controller.abort(new Error('client went away'));
        return new Promise(() => {});
      };
      const error = await failureOf(provision({}, { signal: controller.signal }));
      expect(error).toMatchObject({ code: 'ABORTED', phase: 'start', retryable: false });
      expect(docker.live).toEqual([]);
    });
  });
});

describe('DockerAdapter.ping', () => {
  it('resolves when the engine answers', async () => {
    await expect(setup().adapter.ping()).resolves.toBeUndefined();
  });

  it('names where it looked and what to do when the engine does not answer', async () => {
    const { docker, adapter } = setup();
    docker.hooks.ping = () => {
      throw connectionError('ECONNREFUSED');
    };
    const error = await failureOf(adapter.ping());
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', retryable: true });
    expect(error.message).toBe(
      'Docker engine not reachable at /var/run/docker.sock - start Docker or set DOCKER_HOST (connect ECONNREFUSED /var/run/docker.sock)',
    );
  });

  it('names the configured engine address', async () => {
    const docker = new FakeDocker();
    docker.hooks.ping = () => {
      throw connectionError('ECONNREFUSED', '10.0.0.5:2375');
    };
    const adapter = new DockerAdapter({ docker, engineAddress: 'tcp://10.0.0.5:2375' });
    expect((await failureOf(adapter.ping())).message).toMatch(
      /^Docker engine not reachable at tcp:\/\/10.0.0.5:2375 - /,
    );
  });
});
