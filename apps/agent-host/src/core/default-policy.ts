// The server policy's fields and their safe defaults.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

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
