import { DEFAULT_DOCKER_RESOURCES, type DockerSandboxSpec } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import { buildContainerConfig, SBX_LABELS } from './container-config.js';
import { resolveDockerSandboxSpec } from './docker-sandbox-spec.js';

const identity = { sandboxId: 'sbx-abc', owner: 'host-1:42', expiresAtMs: 1_800_000_000_000 };

describe('resolveDockerSandboxSpec', () => {
  it('applies the defaults: running probe, no network, pull when missing, default limits', () => {
    expect(resolveDockerSandboxSpec({ image: ' alpine:3 ' })).toEqual({
      image: 'alpine:3',
      ready: { kind: 'running' },
      resources: { memoryBytes: 512 * 1024 * 1024, cpus: 1, pids: 256 },
      network: 'none',
      pull: 'missing',
      labels: {},
    });
  });

  it('keeps given limits and fills the others', () => {
    expect(resolveDockerSandboxSpec({ image: 'x', resources: { cpus: 0.5 } }).resources).toEqual({
      ...DEFAULT_DOCKER_RESOURCES,
      cpus: 0.5,
    });
  });

  it.each([
    [{ image: '' }, /image must be a non-empty string/],
    [{ image: 'x', cmd: 'echo hi' }, /cmd must be an array of strings/],
    [{ image: 'x', env: { 'A=B': 'c' } }, /env "A=B"/],
    [{ image: 'x', labels: { 'sbx.owner': 'me' } }, /label sbx.owner is reserved/],
    [{ image: 'x', pull: 'sometimes' }, /pull must be one of never, missing, always/],
    [{ image: 'x', resources: { memoryBytes: 0 } }, /resources.memoryBytes must be a positive number/],
    [{ image: 'x', resources: { pids: 1.5 } }, /resources.pids must be an integer/],
    [{ image: 'x', ttlMs: -1 }, /ttlMs must be a positive number/],
    [
      { image: 'x', ttlMs: 9e15 },
      /ttlMs .* up to MAX_SANDBOX_TTL_MS \(604800000, one week\), got 9000000000000000/,
    ],
    [{ image: 'x', ttlMs: 604_800_001 }, /ttlMs .* up to MAX_SANDBOX_TTL_MS/],
    [{ image: 'x', ttlMs: Number.NaN }, /ttlMs .* got NaN/],
    [{ image: 'x', ttlMs: Number.POSITIVE_INFINITY }, /ttlMs .* got Infinity/],
    [{ image: 'x', ttlMs: '5000' }, /ttlMs .* got 5000/],
    [{ image: 'x', network: '' }, /network must be one of none, egress, got ""/],
    [{ image: 'x', network: 'host' }, /network must be one of none, egress, got "host"/],
    [{ image: 'x', runtime: '' }, /runtime must be an engine runtime name/],
    [{ image: 'x', runtime: 'run c' }, /runtime must be an engine runtime name .* got "run c"/],
    [{ image: 'x', networkSandbox: 'yes' }, /networkSandbox must be a boolean/],
    [{ image: 'x', ready: { kind: 'tcp', port: 0 } }, /port must be/],
    [{ image: 'x', healthcheck: { test: [] } }, /healthcheck.test/],
    [
      { image: 'x', healthcheck: { test: 'true', intervalMs: 0 } },
      /healthcheck.intervalMs must be at least 1/,
    ],
  ])('rejects %j with INVALID_SPEC', (spec, why) => {
    expect(() => resolveDockerSandboxSpec(spec as unknown as DockerSandboxSpec)).toThrow(
      expect.objectContaining({ code: 'INVALID_SPEC', message: expect.stringMatching(why) }),
    );
  });
});

describe('buildContainerConfig', () => {
  it('a read-only sandbox writes only to a size-bounded tmpfs volume at /tmp, and runs as the user asked', () => {
    const config = buildContainerConfig(
      resolveDockerSandboxSpec({
        image: 'x',
        readOnlyRootfs: true,
        tmpfsBytes: 8 * 1024 * 1024,
        user: '65534:65534',
      }),
      identity,
    );
    expect(config.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      // A volume (removed with the container), so the archive API writes where the container reads.
      Mounts: [
        {
          Type: 'volume',
          Source: '',
          Target: '/tmp',
          VolumeOptions: {
            NoCopy: true,
            Labels: {},
            DriverConfig: {
              Name: 'local',
              Options: {
                type: 'tmpfs',
                device: 'tmpfs',
                o: 'size=8388608,nr_inodes=2048,mode=1777,nosuid,nodev',
              },
            },
          },
        },
      ],
    });
    expect(config.User).toBe('65534:65534');
    // The inodes are bounded too: many empty files cost kernel memory the sandbox is not charged for.
    const inodes = (spec: Record<string, unknown>) =>
      buildContainerConfig(resolveDockerSandboxSpec({ image: 'x', readOnlyRootfs: true, ...spec }), identity)
        .HostConfig?.Mounts?.[0]?.VolumeOptions?.DriverConfig?.Options?.o;
    expect(inodes({})).toContain(',nr_inodes=16384,');
    expect(inodes({ tmpfsBytes: 1024 * 1024 })).toContain(',nr_inodes=1024,');
    expect(inodes({ tmpfsInodes: 500 })).toContain(',nr_inodes=500,');
    expect(
      buildContainerConfig(resolveDockerSandboxSpec({ image: 'x' }), identity).HostConfig,
    ).not.toHaveProperty('ReadonlyRootfs');
  });

  it("a read-only sandbox with a home gets a bounded tmpfs volume there its user owns, with the image's files", () => {
    const home = { path: '/home/user', uid: 1000 };
    const spec = { image: 'x', tmpfsBytes: 8 * 1024 * 1024, home };
    const config = buildContainerConfig(
      resolveDockerSandboxSpec({ ...spec, readOnlyRootfs: true }),
      identity,
    );
    expect(config.HostConfig?.Mounts?.[1]).toEqual({
      Type: 'volume',
      Source: '',
      Target: '/home/user',
      VolumeOptions: {
        NoCopy: false,
        Labels: {},
        DriverConfig: {
          Name: 'local',
          Options: {
            type: 'tmpfs',
            device: 'tmpfs',
            o: 'size=8388608,nr_inodes=2048,mode=0755,uid=1000,gid=1000,nosuid,nodev',
          },
        },
      },
    });
    // A writable rootfs keeps the image's home.
    expect(buildContainerConfig(resolveDockerSandboxSpec(spec), identity).HostConfig).not.toHaveProperty(
      'Mounts',
    );
  });

  it.each([
    [{ home: { path: 'home', uid: 1 } }, /home must be/],
    [{ home: { path: '/home/a,uid=0', uid: 1 } }, /home must be/],
    [{ home: { path: '/home/../etc', uid: 1 } }, /home must be/],
    [{ home: { path: '/tmp', uid: 1 } }, /home must be/],
    [{ home: { path: '/home/u', uid: -1 } }, /home must be/],
    [{ home: { path: '/home/u', uid: 1.5 } }, /home must be/],
    [{ readOnlyRootfs: 'yes' }, /readOnlyRootfs must be a boolean/],
    [{ tmpfsBytes: 10 }, /tmpfsBytes must be/],
    [{ tmpfsInodes: 1.5 }, /tmpfsInodes must be/],
    [{ tmpfsInodes: 0 }, /tmpfsInodes must be/],
    [{ logMaxBytes: 1000 }, /logMaxBytes must be a whole number of bytes of at least 64 KiB/],
    [{ logMaxBytes: 1.5e6 + 0.5 }, /logMaxBytes must be/],
    [{ user: 'root; rm -rf /' }, /user must be NAME, UID or UID:GID/],
  ])('refuses %j', (extra, message) => {
    expect(() => resolveDockerSandboxSpec({ image: 'x', ...(extra as object) })).toThrow(message);
  });

  it('labels the container as sbx-managed with its owner, expiry and sandbox id, keeping user labels', () => {
    const config = buildContainerConfig(
      resolveDockerSandboxSpec({ image: 'x', labels: { team: 'a' } }),
      identity,
    );
    expect(config.name).toBe('sbx-abc');
    expect(config.Labels).toEqual({
      team: 'a',
      [SBX_LABELS.managedBy]: 'sbx',
      [SBX_LABELS.owner]: 'host-1:42',
      [SBX_LABELS.expiresAt]: '1800000000000',
      [SBX_LABELS.sandboxId]: 'sbx-abc',
    });
  });

  it('sets the safe defaults: an init as PID 1, unprivileged, no capabilities, no new privileges, limits, no network, no auto-remove', () => {
    const config = buildContainerConfig(resolveDockerSandboxSpec({ image: 'x' }), identity);
    expect(config.NetworkDisabled).toBe(true);
    expect(config.HostConfig).toEqual({
      NetworkMode: 'none',
      Init: true,
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 536_870_912,
      MemorySwap: 536_870_912,
      NanoCpus: 1_000_000_000,
      PidsLimit: 256,
      AutoRemove: false,
      PublishAllPorts: false,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10485760', 'max-file': '1' } },
    });
    expect(config).toMatchObject({ Tty: false, OpenStdin: false });
  });

  it("bounds the engine's log of the sandbox's output on the host's disk to the spec's logMaxBytes, one file", () => {
    const config = buildContainerConfig(
      resolveDockerSandboxSpec({ image: 'x', logMaxBytes: 1 << 20 }),
      identity,
    );
    expect(config.HostConfig?.LogConfig).toEqual({
      Type: 'json-file',
      Config: { 'max-size': '1048576', 'max-file': '1' },
    });
  });

  it('egress is the engine bridge with nothing published; a runtime is passed only when the spec names one', () => {
    const egress = buildContainerConfig(
      resolveDockerSandboxSpec({ image: 'x', network: 'egress', runtime: 'runsc' }),
      identity,
    );
    expect(egress.NetworkDisabled).toBe(false);
    expect(egress.HostConfig).toMatchObject({
      NetworkMode: 'bridge',
      Runtime: 'runsc',
      PublishAllPorts: false,
    });
    expect(egress.HostConfig).not.toHaveProperty('PortBindings');
    const plain = buildContainerConfig(resolveDockerSandboxSpec({ image: 'x' }), identity);
    expect(plain.HostConfig).not.toHaveProperty('Runtime');
  });

  it("goes through Docker's network sandbox for network none only when asked", () => {
    const spec = { image: 'x', network: 'none' as const, networkSandbox: true };
    const config = buildContainerConfig(resolveDockerSandboxSpec(spec), identity);
    expect(config.NetworkDisabled).toBe(false);
    expect(config.HostConfig?.NetworkMode).toBe('none');
  });

  it('passes command, env, working dir, user, limits and a health check through', () => {
    const config = buildContainerConfig(
      resolveDockerSandboxSpec({
        image: 'x',
        cmd: ['sh', '-c', 'echo hi'],
        env: { A: '1', B: 'x=y' },
        workingDir: '/work',
        user: '1000:1000',
        network: 'egress',
        resources: { memoryBytes: 1e9, cpus: 1.5, pids: 64 },
        healthcheck: { test: 'wget -q -O- http://127.0.0.1/', intervalMs: 250, timeoutMs: 1000, retries: 3 },
      }),
      identity,
    );
    expect(config).toMatchObject({
      Cmd: ['sh', '-c', 'echo hi'],
      Env: ['A=1', 'B=x=y'],
      WorkingDir: '/work',
      User: '1000:1000',
      NetworkDisabled: false,
      HostConfig: {
        NetworkMode: 'bridge',
        Memory: 1e9,
        MemorySwap: 1e9,
        NanoCpus: 1_500_000_000,
        PidsLimit: 64,
      },
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1/'],
        Interval: 250_000_000,
        Timeout: 1_000_000_000,
        Retries: 3,
      },
    });
    const direct = buildContainerConfig(
      resolveDockerSandboxSpec({ image: 'x', healthcheck: { test: ['test', '-f', '/ok'] } }),
      identity,
    );
    expect(direct.Healthcheck).toEqual({ Test: ['CMD', 'test', '-f', '/ok'] });
  });
});
