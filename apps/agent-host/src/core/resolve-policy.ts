// The server policy from flags and environment: which flag and variable set each field, and their checks.
import { availableParallelism } from 'node:os';
import { AgentHostError } from '../errors.js';
import { parseAllowedRegistries, REGISTRY_SETTING } from './allowed-registries.js';
import { defaultPolicy, type SandboxPolicy } from './default-policy.js';

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
