import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { AgentHostError } from '../errors.js';
import { parseAllowedRegistries, REGISTRY_SETTING } from './allowed-registries.js';

const MIB = 1024 * 1024;

/** What the server lets any caller ask for: one place, set by flags or environment, safe by default. */
export interface SandboxPolicy {
  /** CPUs one sandbox may use; never above the host's cores. */
  maxCpus: number;
  maxMemoryBytes: number;
  maxPids: number;
  /** The longest a sandbox may live. */
  maxTtlMs: number;
  /** Live sandboxes (provisioned or provisioning) per tenant, and in all. */
  maxLivePerTenant: number;
  maxLiveTotal: number;
  /** The longest one command may run; also its default timeout. */
  maxExecTimeoutMs: number;
  /** Output kept per stream of one command (buffered or streamed) and of a log read; the rest is dropped and said. */
  maxExecOutputBytes: number;
  /** The largest file or tar archive written to or read from a sandbox (413 above). */
  maxFileBytes: number;
  /** A sandbox with no command or file call for this long is removed (gone, reason `idle`). */
  idleTimeoutMs: number;
  /** Browser measurements one tenant may post per minute. */
  ingestPerMinute: number;
  /** Failed sign-ins and bad tokens one client address may send per minute (in bursts of as many); then 429. */
  authFailuresPerMinute: number;
  /** Read-only root filesystem with a size-bounded tmpfs at /tmp, unless a sandbox's image needs otherwise. */
  readOnlyRootfs: boolean;
  tmpfsBytes: number;
  /** Files and directories the `/tmp` tmpfs may hold (`nr_inodes`); unset: one per 4 KiB of `tmpfsBytes`. */
  tmpfsInodes?: number;
  /** Files and directories one tar upload may create (413 above). */
  maxUploadEntries: number;
  /** File uploads and downloads running at once per tenant, and in all (429 above). */
  maxTransfersPerTenant: number;
  maxTransfersTotal: number;
  /** Engine runtimes a sandbox may ask for besides the engine's default (always allowed), e.g. `runsc`. */
  allowedRuntimes: string[];
  /** Whether a sandbox may have `network: "egress"` (the engine's bridge); off: loopback only. */
  allowNetwork: boolean;
  /** Registries the engine may pull sandbox images from (`host[:port]`, `default`); none: images must be local. */
  allowedRegistries: string[];
  /** Commands running (or whose response is still being sent) at once, per sandbox and per tenant (429 above). */
  maxExecsPerSandbox: number;
  maxExecsPerTenant: number;
  /** Log reads with `follow=1` open at once, per tenant and in all (each holds engine file descriptors). */
  maxFollowsPerTenant: number;
  maxFollowsTotal: number;
  /** The most of a sandbox's output the engine keeps on the host's disk (its json-file log; older is dropped). */
  logMaxBytes: number;
  /** The most the pids limits of all live sandboxes may add up to (default: half the kernel's `pid_max`). */
  maxPidsTotal: number;
  /** Preview connections (proxied requests, WebSockets, tunnels) open at once per sandbox and per tenant. */
  maxPortConnectionsPerSandbox: number;
  maxPortConnectionsPerTenant: number;
  /** A preview connection that moves no byte either way for this long is closed. */
  portIdleTimeoutMs: number;
  /** File watches open at once per tenant. */
  maxWatchesPerTenant: number;
}

/** The engine refuses less memory than this; asking for less is a caller's mistake, not an engine failure. */
export const MIN_MEMORY_BYTES = 6 * MIB;
/** Below this a CPU limit rounds to none at all. */
export const MIN_CPUS = 0.01;

/**
 * The defaults: 2 CPUs (never above the host's cores), 4 GiB, 1024 pids, one week, 20/100 live, 10 min, 1 MiB
 * of output, 32 MiB files, 30 min idle; 8 commands per sandbox and 32 per tenant at once, 20 log follows per
 * tenant and 500 in all, 10 MiB of log per sandbox on disk, pids limits adding up to half the kernel's
 * `pid_max`.
 */
export function defaultPolicy(cores = availableParallelism(), pidMax = kernelPidMax()): SandboxPolicy {
  return {
    maxCpus: Math.min(2, cores),
    maxMemoryBytes: 4 * 1024 * MIB,
    maxPids: 1024,
    maxTtlMs: 7 * 24 * 60 * 60 * 1000,
    maxLivePerTenant: 20,
    maxLiveTotal: 100,
    maxExecTimeoutMs: 10 * 60 * 1000,
    maxExecOutputBytes: MIB,
    maxFileBytes: 32 * MIB,
    idleTimeoutMs: 30 * 60 * 1000,
    ingestPerMinute: 600,
    authFailuresPerMinute: 10,
    readOnlyRootfs: true,
    tmpfsBytes: 64 * MIB,
    maxUploadEntries: 10_000,
    maxTransfersPerTenant: 2,
    maxTransfersTotal: 4,
    allowedRuntimes: [],
    allowNetwork: false,
    allowedRegistries: [],
    maxExecsPerSandbox: 8,
    maxExecsPerTenant: 32,
    maxFollowsPerTenant: 20,
    maxFollowsTotal: 500,
    logMaxBytes: 10 * MIB,
    // Half the kernel's pids for the sandboxes; the other half stays with the host (the engine, sbx, sshd).
    maxPidsTotal: Math.max(1, Math.floor(pidMax / 2)),
    maxPortConnectionsPerSandbox: 32,
    maxPortConnectionsPerTenant: 128,
    portIdleTimeoutMs: 5 * 60 * 1000,
    maxWatchesPerTenant: 16,
  };
}

/** The kernel's `pid_max` (`/proc/sys/kernel/pid_max`), or its usual 32,768 where it cannot be read. */
export function kernelPidMax(): number {
  try {
    const value = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
    return Number.isInteger(value) && value > 0 ? value : 32_768;
  } catch {
    return 32_768;
  }
}

/** The flags and environment variables of each policy field (`--max-cpus`, `SBX_MAX_CPUS`, ...). */
export const POLICY_SETTINGS = {
  maxCpus: ['--max-cpus', 'SBX_MAX_CPUS'],
  maxMemoryBytes: ['--max-memory-bytes', 'SBX_MAX_MEMORY_BYTES'],
  maxPids: ['--max-pids', 'SBX_MAX_PIDS'],
  maxTtlMs: ['--max-ttl-ms', 'SBX_MAX_TTL_MS'],
  maxLivePerTenant: ['--max-live-per-tenant', 'SBX_MAX_LIVE_PER_TENANT'],
  maxLiveTotal: ['--max-live-total', 'SBX_MAX_LIVE_TOTAL'],
  maxExecTimeoutMs: ['--max-exec-timeout-ms', 'SBX_MAX_EXEC_TIMEOUT_MS'],
  maxExecOutputBytes: ['--max-exec-output-bytes', 'SBX_MAX_EXEC_OUTPUT_BYTES'],
  maxFileBytes: ['--max-file-bytes', 'SBX_MAX_FILE_BYTES'],
  idleTimeoutMs: ['--idle-timeout-ms', 'SBX_IDLE_TIMEOUT_MS'],
  ingestPerMinute: ['--ingest-per-minute', 'SBX_INGEST_PER_MINUTE'],
  authFailuresPerMinute: ['--auth-failures-per-minute', 'SBX_AUTH_FAILURES_PER_MINUTE'],
  tmpfsBytes: ['--tmpfs-bytes', 'SBX_TMPFS_BYTES'],
  tmpfsInodes: ['--tmpfs-inodes', 'SBX_TMPFS_INODES'],
  maxUploadEntries: ['--max-upload-entries', 'SBX_MAX_UPLOAD_ENTRIES'],
  maxTransfersPerTenant: ['--max-transfers-per-tenant', 'SBX_MAX_TRANSFERS_PER_TENANT'],
  maxTransfersTotal: ['--max-transfers-total', 'SBX_MAX_TRANSFERS_TOTAL'],
  maxExecsPerSandbox: ['--max-execs-per-sandbox', 'SBX_MAX_EXECS_PER_SANDBOX'],
  maxExecsPerTenant: ['--max-execs-per-tenant', 'SBX_MAX_EXECS_PER_TENANT'],
  maxFollowsPerTenant: ['--max-follows-per-tenant', 'SBX_MAX_FOLLOWS_PER_TENANT'],
  maxFollowsTotal: ['--max-follows-total', 'SBX_MAX_FOLLOWS_TOTAL'],
  logMaxBytes: ['--log-max-bytes', 'SBX_LOG_MAX_BYTES'],
  maxPidsTotal: ['--max-pids-total', 'SBX_MAX_PIDS_TOTAL'],
  maxPortConnectionsPerSandbox: [
    '--max-port-connections-per-sandbox',
    'SBX_MAX_PORT_CONNECTIONS_PER_SANDBOX',
  ],
  maxPortConnectionsPerTenant: ['--max-port-connections-per-tenant', 'SBX_MAX_PORT_CONNECTIONS_PER_TENANT'],
  portIdleTimeoutMs: ['--port-idle-timeout-ms', 'SBX_PORT_IDLE_TIMEOUT_MS'],
  maxWatchesPerTenant: ['--max-watches-per-tenant', 'SBX_MAX_WATCHES_PER_TENANT'],
} as const satisfies Partial<Record<keyof SandboxPolicy, readonly [string, string]>>;

/** The flags and environment variables of the isolation settings (lists and switches, not numbers). */
export const ISOLATION_SETTINGS = {
  allowedRuntimes: ['--allow-runtime', 'SBX_ALLOW_RUNTIMES'],
  allowNetwork: ['--allow-network', 'SBX_ALLOW_NETWORK'],
  allowedRegistries: REGISTRY_SETTING,
} as const satisfies Partial<Record<keyof SandboxPolicy, readonly [string, string]>>;

/** What an engine runtime's name may be (`runc`, `runsc`): what the policy, `?runtime=` and `--runtime` accept. */
export const RUNTIME_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The policy from flags (camel-cased keys of `POLICY_SETTINGS`), then environment, then defaults. Values are
 * checked: `maxCpus` above the host's cores is refused, as is anything not a positive number.
 */
export function resolvePolicy(
  flags: Partial<Record<keyof SandboxPolicy, unknown>>,
  env: NodeJS.ProcessEnv,
  cores = availableParallelism(),
): SandboxPolicy {
  const policy = defaultPolicy(cores);
  for (const [key, [flag, variable]] of Object.entries(POLICY_SETTINGS) as Array<
    [keyof typeof POLICY_SETTINGS, readonly [string, string]]
  >) {
    const fromFlag = flags[key];
    const text = fromFlag !== undefined ? String(fromFlag) : env[variable]?.trim();
    if (text === undefined || text === '') continue;
    const name = fromFlag !== undefined ? flag : variable;
    const value = Number(text);
    const whole = key !== 'maxCpus';
    if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || (whole && !Number.isInteger(value))) {
      throw new AgentHostError(
        fromFlag !== undefined ? 'INVALID_FLAG' : 'INVALID_CONFIG',
        `${name} must be a positive ${whole ? 'whole ' : ''}number, got ${JSON.stringify(text)}`,
      );
    }
    if (key === 'maxCpus' && value > cores) {
      throw new AgentHostError('INVALID_CONFIG', `${name} ${value} is above this host's ${cores} cores`);
    }
    policy[key] = value;
  }
  if (flags.readOnlyRootfs === false || env.SBX_READ_ONLY_ROOTFS === '0') policy.readOnlyRootfs = false;
  policy.allowedRuntimes = allowedRuntimes(flags.allowedRuntimes, env.SBX_ALLOW_RUNTIMES);
  policy.allowNetwork = flags.allowNetwork === true || env.SBX_ALLOW_NETWORK === '1';
  policy.allowedRegistries = parseAllowedRegistries(flags.allowedRegistries, env.SBX_ALLOW_REGISTRIES);
  return policy;
}

// `--allow-runtime` (repeatable) wins over SBX_ALLOW_RUNTIMES (a comma list); each must be a runtime name.
function allowedRuntimes(fromFlags: unknown, fromEnv: string | undefined): string[] {
  const [flag, variable] = ISOLATION_SETTINGS.allowedRuntimes;
  const flagged = Array.isArray(fromFlags) && fromFlags.length > 0;
  const names = flagged ? fromFlags.map(String) : (fromEnv ?? '').split(',').map((n) => n.trim());
  const listed = names.filter((n) => n !== '');
  for (const name of listed) {
    if (!RUNTIME_NAME.test(name)) {
      throw new AgentHostError(
        flagged ? 'INVALID_FLAG' : 'INVALID_CONFIG',
        `${flagged ? flag : variable}: ${JSON.stringify(name)} is not an engine runtime name (letters, digits, _ . -)`,
      );
    }
  }
  return [...new Set(listed)];
}

/** A request field above the policy's cap: 400 naming the field and the cap. */
export function overCap(field: string, what: string): AgentHostError {
  return new AgentHostError('POLICY_LIMIT', `${field}: ${what} (server policy)`);
}
