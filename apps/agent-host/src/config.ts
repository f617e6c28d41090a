import { DEFAULT_DB_PATH } from '@sbx/store';

/** Where the host keeps its data and finds its Docker engine. */
export interface HostConfig {
  dbPath: string;
  /** `DOCKER_HOST` when set; dockerode reads it too. */
  dockerHost: string | undefined;
  /** Where the Docker engine is expected, for messages. */
  engineAddress: string;
}

/** The default Docker socket, used when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Resolves the configuration from flags, then environment (`SBX_DB`, `DOCKER_HOST`), then defaults. */
export function resolveConfig(flags: { db?: string }, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const dockerHost = env.DOCKER_HOST?.trim() || undefined;
  return {
    dbPath: flags.db ?? (env.SBX_DB?.trim() || DEFAULT_DB_PATH),
    dockerHost,
    engineAddress: dockerHost ?? DEFAULT_DOCKER_SOCKET,
  };
}
