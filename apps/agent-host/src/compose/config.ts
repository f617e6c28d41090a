import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DB_PATH, describeDatabase, isPostgresUrl } from '@sbx/store';
import { resolvePolicy, type SandboxPolicy } from '../core/sandbox-policy.js';
import { AgentHostError } from '../errors.js';

/** Where the host keeps its data and finds its Docker engine. */
export interface HostConfig {
  /** A SQLite file path, or a `postgres://` URL shared by a fleet of hosts (`--db`, env `SBX_DB`). */
  dbPath: string;
  /** The database for messages: the path, or the URL without its password. */
  dbLabel?: string | undefined;
  /**
   * Where the host keeps its own files (the default token file): beside a SQLite file, or for PostgreSQL
   * `SBX_HOME`, default `./.sbx` (never derived from the URL, which may hold a password).
   */
  stateDir?: string | undefined;
  /**
   * Where each Docker sandbox's agent directory (its socket) is made: `<stateDir>/agents`, 0700 (see
   * docs/security.md, "The in-sandbox agent").
   */
  agentDir?: string | undefined;
  /** This host's name on every row it records (`--host-id`, env `SBX_HOST_ID`; resolveConfig defaults it to the hostname). */
  hostId?: string | undefined;
  /** The host a report is scoped to: `--host-id` when given on the command line (reports show the fleet otherwise). */
  reportHost?: string | undefined;
  /** `DOCKER_HOST` when set; dockerode reads it too. */
  dockerHost: string | undefined;
  /** Where the Docker engine is expected, for messages. */
  engineAddress: string;
  /** Alerts are posted here when set (`--webhook-url`, env `SBX_WEBHOOK_URL`). */
  webhookUrl?: string | undefined;
  /** Cooldown between two webhook messages of one kind (env `SBX_WEBHOOK_COOLDOWN_MS`). */
  webhookCooldownMs?: number | undefined;
  /** The perf monitor's `overhead-alert` threshold (`--alert-threshold`, env `SBX_ALERT_THRESHOLD_MS`). */
  alertThresholdMs?: number | undefined;
  /** What any caller may ask for (`sbx serve --max-*`, env `SBX_MAX_*`). */
  policy: SandboxPolicy;
  /**
   * The spool of results the database could not take (`spool.jsonl` in env `SBX_STATE_DIR`, default the
   * database's folder, or `SBX_HOME` / `./.sbx` for a PostgreSQL URL; each process writes `spool.<pid>.jsonl` beside it);
   * none for an in-memory database.
   */
  spoolPath?: string | undefined;
  /** The spool's bound in bytes (env `SBX_SPOOL_MAX_BYTES`, default 16 MiB). */
  spoolMaxBytes?: number | undefined;
}

/** Global flags that feed the configuration. */
export interface HostFlags {
  db?: string | undefined;
  hostId?: string | undefined;
  webhookUrl?: string | undefined;
  alertThreshold?: number | undefined;
  /** `sbx serve`'s policy flags, by policy field. */
  policy?: Partial<Record<keyof SandboxPolicy, unknown>> | undefined;
}

/** The default Docker socket, used when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Resolves the configuration from flags, then environment (`SBX_DB`, `DOCKER_HOST`, ...), then defaults; a
 * bad value throws `INVALID_CONFIG` (or `INVALID_FLAG`) naming the variable or flag and what is allowed.
 */
export function resolveConfig(flags: HostFlags, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const dockerHost = env.DOCKER_HOST?.trim() || undefined;
  const webhookUrl = flags.webhookUrl ?? (env.SBX_WEBHOOK_URL?.trim() || undefined);
  if (webhookUrl !== undefined)
    checkWebhookUrl(webhookUrl, flags.webhookUrl ? '--webhook-url' : 'SBX_WEBHOOK_URL');
  const dbPath = flags.db ?? (env.SBX_DB?.trim() || DEFAULT_DB_PATH);
  checkDbScheme(dbPath, flags.db !== undefined ? '--db' : 'SBX_DB');
  const hostId = flags.hostId ?? (env.SBX_HOST_ID?.trim() || hostname());
  if (!/^[\w.:-]{1,128}$/.test(hostId)) {
    throw invalid(
      flags.hostId !== undefined ? '--host-id' : 'SBX_HOST_ID',
      `must be 1-128 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(hostId)}`,
    );
  }
  return {
    dbPath,
    dbLabel: describeDatabase(dbPath),
    stateDir: stateDirOf(dbPath, env),
    agentDir: agentDirOf(dbPath, env),
    hostId,
    reportHost: flags.hostId,
    dockerHost,
    engineAddress: dockerHost ?? DEFAULT_DOCKER_SOCKET,
    webhookUrl,
    webhookCooldownMs: wholeMs(env.SBX_WEBHOOK_COOLDOWN_MS, 'SBX_WEBHOOK_COOLDOWN_MS'),
    alertThresholdMs: flags.alertThreshold ?? wholeMs(env.SBX_ALERT_THRESHOLD_MS, 'SBX_ALERT_THRESHOLD_MS'),
    policy: resolvePolicy(flags.policy ?? {}, env),
    spoolPath: spoolPathOf(dbPath, env),
    spoolMaxBytes: wholeMs(env.SBX_SPOOL_MAX_BYTES, 'SBX_SPOOL_MAX_BYTES', 'bytes'),
  };
}

/** Where a PostgreSQL host keeps its own files unless `SBX_HOME` says otherwise. */
export const DEFAULT_STATE_DIR = './.sbx';

/** The host's own folder for the database `dbPath`: beside a SQLite file, else `SBX_HOME` or `./.sbx`. */
export function stateDirOf(dbPath: string, env: NodeJS.ProcessEnv): string {
  return isPostgresUrl(dbPath) ? env.SBX_HOME?.trim() || DEFAULT_STATE_DIR : dirname(dbPath);
}

// `postgress://...` is a typo, not a SQLite file name: anything shaped like a URL must be a scheme we know.
function checkDbScheme(target: string, name: string): void {
  const scheme = /^\s*([a-z][a-z\d+.-]*):\/\//i.exec(target)?.[1];
  if (scheme === undefined || isPostgresUrl(target)) return;
  throw invalid(
    name,
    `has the unknown scheme "${scheme.slice(0, 32)}://": use postgres:// or postgresql:// (PostgreSQL), or a file path (SQLite)`,
  );
}

// Beside the spool (`SBX_STATE_DIR`, else the state dir), absolute: the engine bind-mounts what is in it.
function agentDirOf(dbPath: string, env: NodeJS.ProcessEnv): string {
  return resolve(env.SBX_STATE_DIR?.trim() || stateDirOf(dbPath, env), 'agents');
}

function spoolPathOf(dbPath: string, env: NodeJS.ProcessEnv): string | undefined {
  const stateDir = env.SBX_STATE_DIR?.trim();
  if (stateDir) return join(stateDir, 'spool.jsonl');
  if (dbPath.trim() === ':memory:') return undefined;
  return join(stateDirOf(dbPath, env), 'spool.jsonl');
}

function checkWebhookUrl(text: string, name: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(name, `must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(name, `must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
}

function wholeMs(text: string | undefined, name: string, unit = 'milliseconds'): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw invalid(name, `must be a whole number of ${unit} >= 1, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function invalid(name: string, what: string): AgentHostError {
  return new AgentHostError(name.startsWith('--') ? 'INVALID_FLAG' : 'INVALID_CONFIG', `${name} ${what}`);
}
