import type { Logger } from '@sbx/timing';
import { SBX_LABELS, SBX_MANAGED_BY } from './container-config.js';
import type { DockerApi, DockerContainerSummary } from './docker-api.js';
import { wrapDockerError } from './docker-error.js';
import { isLocalOwnerAlive } from './owner.js';
import { removeContainer } from './remove-container.js';

/** A container sbx created, as `listManaged()` reports it. */
export interface ManagedContainer {
  sandboxId: string;
  containerId: string;
  image: string;
  /** Docker's state: `created`, `running`, `exited`, ... */
  state: string;
  owner: string;
  /** Undefined when the label is missing or unreadable (such a container is treated as expired). */
  expiresAt: Date | undefined;
  createdAt: Date;
}

/** Options of `reap()`. */
export interface ReapOptions {
  /** The time to judge expiry against; default now. */
  now?: Date;
  /** Whether an owner still runs; default `isLocalOwnerAlive` (an owner on this host whose process is gone is dead). */
  isOwnerAlive?: (owner: string) => boolean;
}

/** Every container carrying `sbx.managed-by=sbx`, running or not. */
export async function listManagedContainers(
  docker: DockerApi,
  engineAddress: string,
): Promise<ManagedContainer[]> {
  try {
    const rows = await docker.listContainers({
      all: true,
      filters: { label: [`${SBX_LABELS.managedBy}=${SBX_MANAGED_BY}`] },
    });
    return rows.map(toManagedContainer);
  } catch (error) {
    throw wrapDockerError(error, {
      code: 'ENGINE_ERROR',
      doing: 'listing sbx containers',
      engineAddress,
      phase: 'reap',
    });
  }
}

/** Removes managed containers that are expired or whose owner is gone; a failed removal is logged and skipped. */
export async function reapContainers(
  docker: DockerApi,
  engineAddress: string,
  logger: Logger,
  options: ReapOptions = {},
): Promise<{ removed: string[] }> {
  const now = (options.now ?? new Date()).getTime();
  const isOwnerAlive = options.isOwnerAlive ?? isLocalOwnerAlive;
  const removed: string[] = [];
  for (const managed of await listManagedContainers(docker, engineAddress)) {
    const expired = managed.expiresAt === undefined || managed.expiresAt.getTime() <= now;
    if (!expired && isOwnerAlive(managed.owner)) continue;
    try {
      if (await removeContainer(docker.getContainer(managed.containerId), engineAddress, 'reap')) {
        removed.push(managed.containerId);
      }
    } catch (error) {
      logger.warn(`reap could not remove container ${managed.containerId}`, { error: String(error) });
    }
  }
  return { removed };
}

function toManagedContainer(row: DockerContainerSummary): ManagedContainer {
  const labels = row.Labels ?? {};
  const expiresAtMs = Number(labels[SBX_LABELS.expiresAt]);
  return {
    sandboxId: labels[SBX_LABELS.sandboxId] ?? row.Names?.[0]?.replace(/^\//, '') ?? row.Id,
    containerId: row.Id,
    image: row.Image,
    state: row.State,
    owner: labels[SBX_LABELS.owner] ?? '',
    expiresAt:
      labels[SBX_LABELS.expiresAt] && Number.isFinite(expiresAtMs) ? new Date(expiresAtMs) : undefined,
    createdAt: new Date(row.Created * 1000),
  };
}
