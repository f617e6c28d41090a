import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** How owner labels are made and judged on this host; tests hand in their own to be deterministic. */
export interface LocalProcesses {
  /** This host's name. */
  hostname(): string;
  /** The text of `/proc/PID/stat`, or undefined when it cannot be read (no such process, or no /proc). */
  readStat(pid: number): string | undefined;
  /** True when a process with this pid exists (one of another user counts). */
  exists(pid: number): boolean;
}

/** This host, through `os.hostname()`, `/proc` and `process.kill(pid, 0)`. */
export const localProcesses: LocalProcesses = {
  hostname,
  readStat(pid) {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
  },
  exists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: the process exists but belongs to someone else.
      return (error as { code?: unknown }).code === 'EPERM';
    }
  },
};

// Random per process (per loaded copy of this module): two owners that share host, pid and start time differ.
const INSTANCE_ID = randomBytes(4).toString('hex');

// `${host}:${pid}:${startTime}:${instanceId}`; the start time is `-` where /proc could not tell it.
const OWNER = /^(.+):(\d+):(\d+|-):([0-9a-f]+)$/;
// The format before start times: `${host}:${pid}`.
const OLD_OWNER = /^(.+):(\d+)$/;

/**
 * The default owner label of this process: `${hostname}:${pid}:${startTime}:${instanceId}`, where the start
 * time is field 22 of /proc/PID/stat (clock ticks since boot; `-` without /proc) and the instance id is random,
 * so an owner whose pid is reused by a later process is not mistaken for it.
 */
export function defaultOwner(processes: LocalProcesses = localProcesses): string {
  const stat = processes.readStat(process.pid);
  const startTime = stat === undefined ? undefined : startTimeOf(stat);
  return `${processes.hostname()}:${process.pid}:${startTime ?? '-'}:${INSTANCE_ID}`;
}

/**
 * Whether the owner of a container still runs, as far as this host can tell. An owner on this host is alive
 * only while its pid exists and, when the label has a start time and /proc can be read, that process started
 * at the same time (a reused pid is a different process). The old `host:pid` format is judged by its pid.
 * Owners on other hosts, and labels in no known format, are presumed alive (their expiry still applies).
 */
export function isLocalOwnerAlive(owner: string, processes: LocalProcesses = localProcesses): boolean {
  const match = OWNER.exec(owner) ?? OLD_OWNER.exec(owner);
  if (!match || match[1] !== processes.hostname()) return true;
  const pid = Number(match[2]);
  if (!processes.exists(pid)) return false;
  const stamped = match[3];
  if (stamped === undefined || stamped === '-') return true;
  const stat = processes.readStat(pid);
  // Without /proc (or with a process that just ended) nothing more can be told: it may be alive.
  const current = stat === undefined ? undefined : startTimeOf(stat);
  return current === undefined || current === stamped;
}

/** Field 22 (`starttime`) of a /proc/PID/stat line; the command name (field 2) may hold spaces and parens. */
export function startTimeOf(stat: string): string | undefined {
  const end = stat.lastIndexOf(')');
  if (end === -1) return undefined;
  // Fields from 3 (state) on, after ") ".
  const value = stat
    .slice(end + 2)
    .trim()
    .split(/\s+/)[22 - 3];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}
