import type { DockerContainerCreateOptions, DockerHealthConfig, DockerMount } from './docker-api.js';
import type { DockerHealthcheckSpec, ResolvedDockerSandboxSpec } from './docker-sandbox-spec.js';

/** The labels sbx puts on every container it creates; `reap()` and `listManaged()` read them. */
export const SBX_LABELS = Object.freeze({
  /** Always `sbx`: the container is ours to list and remove. */
  managedBy: 'sbx.managed-by',
  /** Who created it, `${hostname}:${pid}:${startTime}:${instanceId}` by default; `reap()` removes containers whose owner is gone. */
  owner: 'sbx.owner',
  /** Epoch milliseconds after which `reap()` removes it whatever its owner. */
  expiresAt: 'sbx.expires-at',
  /** The sandbox id (also the container name). */
  sandboxId: 'sbx.sandbox-id',
});

/** Size of the `/tmp` tmpfs of a read-only sandbox when the spec gives none: 64 MiB. */
export const DEFAULT_TMPFS_BYTES = 64 * 1024 * 1024;

/** The `/tmp` inodes of a tmpfs of `bytes` when the spec gives none: one per 4 KiB, at least 1024. */
export function defaultTmpfsInodes(bytes: number): number {
  return Math.max(1024, Math.floor(bytes / 4096));
}
/** The most of a sandbox's output the engine keeps on disk when the spec gives no `logMaxBytes`: 10 MiB. */
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** The value of the `sbx.managed-by` label. */
export const SBX_MANAGED_BY = 'sbx';

/** Who created a container and when it expires. */
export interface ContainerIdentity {
  sandboxId: string;
  owner: string;
  expiresAtMs: number;
}

const NS_PER_MS = 1_000_000;

/**
 * The create options of a sandbox container: sbx's labels plus safe defaults (not privileged, every
 * capability dropped, no-new-privileges, memory/CPU/pids limits, no network unless `egress`, the spec's engine
 * runtime, the engine's init as PID 1, no auto-remove: sbx removes
 * its containers itself). `network: 'none'` also sets `NetworkDisabled` (unless `networkSandbox`), which
 * skips the engine's network sandbox: the container still gets its own network namespace with loopback
 * only, but no /etc/hosts is mounted; it roughly halves the start on Docker 20.10.
 */
export function buildContainerConfig(
  spec: ResolvedDockerSandboxSpec,
  identity: ContainerIdentity,
): DockerContainerCreateOptions {
  const { memoryBytes, cpus, pids } = spec.resources;
  const config: DockerContainerCreateOptions = {
    name: identity.sandboxId,
    Image: spec.image,
    Labels: {
      ...spec.labels,
      [SBX_LABELS.managedBy]: SBX_MANAGED_BY,
      [SBX_LABELS.owner]: identity.owner,
      [SBX_LABELS.expiresAt]: String(Math.round(identity.expiresAtMs)),
      [SBX_LABELS.sandboxId]: identity.sandboxId,
    },
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    NetworkDisabled: spec.network === 'none' && spec.networkSandbox !== true,
    HostConfig: {
      // egress: the engine's default bridge (its DNS, outbound NAT); nothing is published to the host.
      NetworkMode: spec.network === 'egress' ? 'bridge' : 'none',
      ...(spec.runtime === undefined ? {} : { Runtime: spec.runtime }),
      // The engine's init (tini) as PID 1: it reaps orphans (a killed background job is gone, not a zombie
      // `kill -0` still finds) and forwards signals to the command, which as PID 1 would ignore SIGTERM.
      Init: true,
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: Math.round(memoryBytes),
      MemorySwap: Math.round(memoryBytes),
      NanoCpus: Math.round(cpus * 1e9),
      PidsLimit: pids,
      AutoRemove: false,
      PublishAllPorts: false,
      // A bounded log whatever the engine's default driver: the sandbox's output cannot fill the host's disk.
      LogConfig: {
        Type: 'json-file',
        Config: { 'max-size': String(spec.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES), 'max-file': '1' },
      },
      ...(spec.readOnlyRootfs
        ? {
            ReadonlyRootfs: true,
            // An anonymous volume on a tmpfs rather than `Tmpfs`: the engine's archive API (sandbox files) writes
            // into volumes only. It is removed with the container (`remove({ v: true })`).
            Mounts: [
              tmpVolume(spec.tmpfsBytes ?? DEFAULT_TMPFS_BYTES, spec.tmpfsInodes),
              ...(spec.home
                ? [homeVolume(spec.home, spec.tmpfsBytes ?? DEFAULT_TMPFS_BYTES, spec.tmpfsInodes)]
                : []),
            ],
          }
        : {}),
    },
  };
  if (spec.cmd) config.Cmd = [...spec.cmd];
  if (spec.env) config.Env = Object.entries(spec.env).map(([key, value]) => `${key}=${value}`);
  if (spec.workingDir) config.WorkingDir = spec.workingDir;
  if (spec.user) config.User = spec.user;
  if (spec.healthcheck) config.Healthcheck = toHealthConfig(spec.healthcheck);
  return config;
}

function tmpVolume(bytes: number, inodes = defaultTmpfsInodes(bytes)): DockerMount {
  // nr_inodes bounds the files (and their kernel memory) a sandbox can make where `size` sees 0 bytes used.
  const o = `size=${bytes},nr_inodes=${inodes},mode=1777,nosuid,nodev`;
  const options = { type: 'tmpfs', device: 'tmpfs', o };
  return {
    Type: 'volume',
    Source: '',
    Target: '/tmp',
    VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: 'local', Options: options } },
  };
}

// The home of a read-only sandbox: a tmpfs volume its user owns; the engine copies the image's files into it.
function homeVolume(
  home: { path: string; uid: number },
  bytes: number,
  inodes = defaultTmpfsInodes(bytes),
): DockerMount {
  // The same inode bound as /tmp: the home is a tmpfs too, and its files cost the host's kernel memory.
  const o = `size=${bytes},nr_inodes=${inodes},mode=0755,uid=${home.uid},gid=${home.uid},nosuid,nodev`;
  return {
    Type: 'volume',
    Source: '',
    Target: home.path,
    VolumeOptions: {
      NoCopy: false,
      Labels: {},
      DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o } },
    },
  };
}

function toHealthConfig(check: DockerHealthcheckSpec): DockerHealthConfig {
  const health: DockerHealthConfig = {
    Test: typeof check.test === 'string' ? ['CMD-SHELL', check.test] : ['CMD', ...check.test],
  };
  if (check.intervalMs !== undefined) health.Interval = Math.round(check.intervalMs * NS_PER_MS);
  if (check.timeoutMs !== undefined) health.Timeout = Math.round(check.timeoutMs * NS_PER_MS);
  if (check.startPeriodMs !== undefined) health.StartPeriod = Math.round(check.startPeriodMs * NS_PER_MS);
  if (check.retries !== undefined) health.Retries = Math.round(check.retries);
  return health;
}
