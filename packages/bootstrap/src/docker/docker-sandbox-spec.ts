import { BootstrapError } from '../errors.js';
import { parseImageReference } from './image-reference.js';
import { DEFAULT_READINESS_PROBE, type ReadinessProbe, validateReadinessProbe } from './readiness-probe.js';

/** Resource limits of a Docker sandbox; every one is always set (defaults in `DEFAULT_DOCKER_RESOURCES`). */
export interface DockerResources {
  memoryBytes?: number;
  cpus?: number;
  pids?: number;
}

/** A health check for the `healthcheck` probe when the image has no HEALTHCHECK of its own. */
export interface DockerHealthcheckSpec {
  /** Run with `sh -c` when a string, directly when an array. */
  test: string | string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

/** A sandbox's network: loopback only, or the engine's bridge with outbound access. */
export type DockerNetwork = 'none' | 'egress';

/** Every `DockerNetwork`, the default first. */
export const DOCKER_NETWORKS: readonly DockerNetwork[] = Object.freeze(['none', 'egress']);

/** What to run in a Docker sandbox. */
export interface DockerSandboxSpec {
  image: string;
  cmd?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  /** The user the command runs as (`uid[:gid]` or a name); default: the image's. */
  user?: string;
  /** Default `{ kind: 'running' }`. */
  ready?: ReadinessProbe;
  resources?: DockerResources;
  /**
   * `'none'` (default): the container's own network namespace with loopback only. `'egress'`: the engine's
   * default bridge network with the engine's DNS, so the sandbox can reach out; no port is published.
   */
  network?: DockerNetwork;
  /**
   * The engine runtime that runs the container (`runc`, `runsc` for gVisor, ...); default the engine's default
   * runtime. A name the engine lacks is `RUNTIME_NOT_FOUND`, naming what it has (`DockerAdapter.listRuntimes()`).
   */
  runtime?: string;
  /**
   * With network `'none'`, sbx skips Docker's network sandbox (`NetworkDisabled`): same isolation, about
   * 100 ms faster to start, but Docker mounts no /etc/hosts, so `localhost` resolves only if the image ships
   * one (127.0.0.1 always works). `true` goes through the sandbox for Docker's usual /etc/hosts. Default false.
   */
  networkSandbox?: boolean;
  /** Default `'missing'`: use the local image, pull only when absent. */
  pull?: 'never' | 'missing' | 'always';
  /** Extra container labels; keys starting with `sbx.` are reserved. */
  labels?: Record<string, string>;
  /**
   * After this many milliseconds `reap()` removes the sandbox even if its owner lives; default the adapter's.
   * At most `MAX_SANDBOX_TTL_MS` (one week).
   */
  ttlMs?: number;
  healthcheck?: DockerHealthcheckSpec;
  /**
   * A read-only root filesystem: the sandbox writes only to a tmpfs at `/tmp` of `tmpfsBytes` (default
   * 64 MiB). Default false (the image decides); agent-host turns it on by policy.
   */
  readOnlyRootfs?: boolean;
  /** Size of the `/tmp` tmpfs of a read-only sandbox, in bytes. */
  tmpfsBytes?: number;
  /**
   * Files and directories the `/tmp` tmpfs may hold (its `nr_inodes`): each costs kernel memory the sandbox's
   * memory limit does not count. Default one per 4 KiB of `tmpfsBytes`, at least 1024 (16,384 for 64 MiB).
   */
  tmpfsInodes?: number;
  /**
   * The most of the sandbox's output the engine keeps on the host's disk (a `json-file` log of this many bytes,
   * one file: older output is dropped); default `DEFAULT_LOG_MAX_BYTES` (10 MiB).
   */
  logMaxBytes?: number;
  /**
   * A read-only sandbox's home: a tmpfs of `tmpfsBytes` at `path` owned by `uid` (its group the same id),
   * holding a copy of the image's files there, so a template's user can work in its home. Ignored when the
   * rootfs is writable (the home is then the image's).
   */
  home?: { path: string; uid: number };
  /**
   * Runs sbx's in-sandbox agent (commands in about a millisecond, background processes, files, ports) when the
   * adapter has one (`agentDir`); default true. `false` opts out: every command goes through Docker exec.
   */
  agent?: boolean;
}

/** The limits applied when a spec sets none: 512 MiB, 1 CPU, 256 processes. */
export const DEFAULT_DOCKER_RESOURCES: Readonly<Required<DockerResources>> = Object.freeze({
  memoryBytes: 512 * 1024 * 1024,
  cpus: 1,
  pids: 256,
});

/** A spec with its defaults applied and checked. */
export interface ResolvedDockerSandboxSpec extends DockerSandboxSpec {
  ready: ReadinessProbe;
  resources: Required<DockerResources>;
  network: DockerNetwork;
  pull: 'never' | 'missing' | 'always';
  labels: Record<string, string>;
}

const PULL_POLICIES = ['never', 'missing', 'always'] as const;

/** The longest `ttlMs` a sandbox may have: one week, so its `sbx.expires-at` label is always a valid date. */
export const MAX_SANDBOX_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Undefined when `ttlMs` is a positive finite number up to `MAX_SANDBOX_TTL_MS`; else what is wrong with it. */
export function ttlProblem(name: string, ttlMs: unknown): string | undefined {
  if (typeof ttlMs === 'number' && Number.isFinite(ttlMs) && ttlMs > 0 && ttlMs <= MAX_SANDBOX_TTL_MS) return;
  return `${name} must be a positive number of milliseconds up to MAX_SANDBOX_TTL_MS (${MAX_SANDBOX_TTL_MS}, one week), got ${String(ttlMs)}`;
}

/** Applies the defaults and throws `BootstrapError('INVALID_SPEC')` naming the first field that is wrong. */
export function resolveDockerSandboxSpec(spec: DockerSandboxSpec): ResolvedDockerSandboxSpec {
  const fail = (why: string): never => {
    throw new BootstrapError('INVALID_SPEC', `invalid docker sandbox spec: ${why}`);
  };
  if (spec === null || typeof spec !== 'object') return fail('expected an object');
  if (typeof spec.image !== 'string' || spec.image.trim() === '') fail('image must be a non-empty string');
  // The engine answers some malformed references with a redirect dockerode follows off the socket.
  parseImageReference(spec.image.trim());
  if (spec.cmd !== undefined && !isStringArray(spec.cmd)) fail('cmd must be an array of strings');
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (!/^[^=\0]+$/.test(key) || typeof value !== 'string')
      fail(`env ${JSON.stringify(key)} is not NAME=string`);
  }
  for (const [key, value] of Object.entries(spec.labels ?? {})) {
    if (key.startsWith('sbx.')) fail(`label ${key} is reserved for sbx`);
    if (typeof value !== 'string') fail(`label ${key} must be a string`);
  }
  const pull = spec.pull ?? 'missing';
  if (!PULL_POLICIES.includes(pull)) fail(`pull must be one of ${PULL_POLICIES.join(', ')}, got ${pull}`);
  const resources = { ...DEFAULT_DOCKER_RESOURCES, ...definedOnly(spec.resources ?? {}) };
  for (const [name, value] of Object.entries(resources)) {
    if (!(Number.isFinite(value) && value > 0))
      fail(`resources.${name} must be a positive number, got ${value}`);
  }
  if (!Number.isInteger(resources.pids)) fail(`resources.pids must be an integer, got ${resources.pids}`);
  const ttl = spec.ttlMs === undefined ? undefined : ttlProblem('ttlMs', spec.ttlMs);
  if (ttl) fail(ttl);
  if (spec.network !== undefined && !DOCKER_NETWORKS.includes(spec.network)) {
    fail(`network must be one of ${DOCKER_NETWORKS.join(', ')}, got ${JSON.stringify(spec.network)}`);
  }
  if (
    spec.runtime !== undefined &&
    !(typeof spec.runtime === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(spec.runtime))
  ) {
    fail(
      `runtime must be an engine runtime name (letters, digits, _ . -), got ${JSON.stringify(spec.runtime)}`,
    );
  }
  if (spec.networkSandbox !== undefined && typeof spec.networkSandbox !== 'boolean') {
    fail('networkSandbox must be a boolean');
  }
  if (spec.healthcheck !== undefined) validateHealthcheck(spec.healthcheck, fail);
  if (spec.readOnlyRootfs !== undefined && typeof spec.readOnlyRootfs !== 'boolean') {
    fail('readOnlyRootfs must be a boolean');
  }
  if (
    spec.tmpfsBytes !== undefined &&
    !(Number.isInteger(spec.tmpfsBytes) && spec.tmpfsBytes >= 1024 * 1024)
  ) {
    fail(`tmpfsBytes must be a whole number of bytes of at least 1 MiB, got ${spec.tmpfsBytes}`);
  }
  if (spec.tmpfsInodes !== undefined && !(Number.isInteger(spec.tmpfsInodes) && spec.tmpfsInodes >= 16)) {
    fail(`tmpfsInodes must be a whole number of at least 16, got ${spec.tmpfsInodes}`);
  }
  if (
    spec.logMaxBytes !== undefined &&
    !(Number.isInteger(spec.logMaxBytes) && spec.logMaxBytes >= 64 * 1024)
  ) {
    fail(`logMaxBytes must be a whole number of bytes of at least 64 KiB, got ${spec.logMaxBytes}`);
  }
  if (
    spec.home !== undefined &&
    !(
      typeof spec.home?.path === 'string' &&
      /^\/[A-Za-z0-9_./-]{1,254}$/.test(spec.home.path) &&
      !spec.home.path.split('/').includes('..') &&
      spec.home.path !== '/tmp' &&
      Number.isInteger(spec.home.uid) &&
      spec.home.uid >= 0 &&
      spec.home.uid < 2 ** 31
    )
  ) {
    fail(
      `home must be { path: an absolute path other than /tmp, uid: a user id }, got ${JSON.stringify(spec.home)}`,
    );
  }
  if (spec.agent !== undefined && typeof spec.agent !== 'boolean') fail('agent must be a boolean');
  if (spec.user !== undefined && !/^[A-Za-z0-9_.-]{1,64}(?::[A-Za-z0-9_.-]{1,64})?$/.test(spec.user)) {
    fail(`user must be NAME, UID or UID:GID, got ${JSON.stringify(spec.user)}`);
  }
  return {
    ...spec,
    image: spec.image.trim(),
    ready: validateReadinessProbe(spec.ready ?? DEFAULT_READINESS_PROBE),
    resources,
    network: spec.network ?? 'none',
    pull,
    labels: { ...spec.labels },
  };
}

function validateHealthcheck(check: DockerHealthcheckSpec, fail: (why: string) => never): void {
  const test = check?.test;
  if (!(typeof test === 'string' ? test.trim() !== '' : isStringArray(test) && test.length > 0)) {
    fail('healthcheck.test must be a command string or a non-empty array of strings');
  }
  for (const key of ['intervalMs', 'timeoutMs', 'startPeriodMs', 'retries'] as const) {
    const value = check[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 1)) {
      fail(`healthcheck.${key} must be at least 1, got ${value}`);
    }
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
