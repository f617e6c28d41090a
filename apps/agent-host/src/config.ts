import { DEFAULT_DB_PATH } from '@sbx/store';

/** Where the host keeps its data and finds its Docker engine. */
export interface HostConfig {
  dbPath: string;
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
}

/** Global flags that feed the configuration. */
export interface HostFlags {
  db?: string | undefined;
  webhookUrl?: string | undefined;
  alertThreshold?: number | undefined;
}

/** The default Docker socket, used when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Resolves the configuration from flags, then environment (`SBX_DB`, `DOCKER_HOST`), then defaults. */
export function resolveConfig(flags: HostFlags, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const dockerHost = env.DOCKER_HOST?.trim() || undefined;
  return {
    dbPath: flags.db ?? (env.SBX_DB?.trim() || DEFAULT_DB_PATH),
    dockerHost,
    engineAddress: dockerHost ?? DEFAULT_DOCKER_SOCKET,
    webhookUrl: flags.webhookUrl ?? (env.SBX_WEBHOOK_URL?.trim() || undefined),
    webhookCooldownMs: positiveNumber(env.SBX_WEBHOOK_COOLDOWN_MS, 'SBX_WEBHOOK_COOLDOWN_MS'),
    alertThresholdMs:
      flags.alertThreshold ?? positiveNumber(env.SBX_ALERT_THRESHOLD_MS, 'SBX_ALERT_THRESHOLD_MS'),
  };
}

function positiveNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value)))
    throw new Error(`${name} must be a positive number of milliseconds, got ${text}`);
  return value;
}
