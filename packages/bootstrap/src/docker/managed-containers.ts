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
  /** Undefined when the label is missing or unreadable (`reap()` then keeps it while its owner may be alive). */
  expiresAt: Date | undefined;
  createdAt: Date;
}

/** Options of `reap()`. */
export interface ReapOptions {
  /** The time to judge expiry against; default now. */
  now?: Date;
  /** Whether an owner still runs; default `isLocalOwnerAlive` (an owner on this host whose process is gone is dead). */
  isOwnerAlive?: (owner: string) => boolean;
  /**
   * Keeps a container whatever its labels say: a host that extended a sandbox's life keeps that expiry itself
   * (a label cannot change) and keeps its own live sandboxes here.
   */
  keep?: (container: ManagedContainer) => boolean;
}

/** Every container carrying `sbx.managed-by=sbx`, running or not. */
export async function listManagedContainers(
  docker: DockerApi,
  engineAddress: string,
): Promise<ManagedContainer[]> {
  return (await listRows(docker, engineAddress)).map(toManagedContainer);
}

/**
 * Removes managed containers that are expired or whose owner is gone; a failed removal is logged and skipped.
 * One whose expiry label is missing or unreadable is removed only once its owner is gone (said in one line).
 */
export async function reapContainers(
  docker: DockerApi,
  engineAddress: string,
  logger: Logger,
  options: ReapOptions = {},
): Promise<{ removed: string[] }> {
  const now = (options.now ?? new Date()).getTime();
  const isOwnerAlive = options.isOwnerAlive ?? isLocalOwnerAlive;
  const removed: string[] = [];
  for (const row of await listRows(docker, engineAddress)) {
    const managed = toManagedContainer(row);
    const { containerId, owner, expiresAt } = managed;
    if (options.keep?.(managed)) continue;
    if (expiresAt === undefined) {
      if (isOwnerAlive(owner)) {
        const label = row.Labels?.[SBX_LABELS.expiresAt];
        const what = label === undefined ? 'missing' : `${JSON.stringify(label)} unreadable`;
        logger.warn(`keeping container ${containerId}: expiry label ${what} and owner ${owner} may be alive`);
        continue;
      }
    } else if (expiresAt.getTime() > now && isOwnerAlive(owner)) {
      continue;
    }
    try {
      if (await removeContainer(docker.getContainer(containerId), engineAddress, 'reap')) {
        removed.push(containerId);
      }
    } catch (error) {
      logger.warn(`reap could not remove container ${containerId}`, { error: String(error) });
    }
  }
  return { removed };
}

// The rows both read; a failure is wrapped here, once.
async function listRows(docker: DockerApi, engineAddress: string): Promise<DockerContainerSummary[]> {
  try {
    return await docker.listContainers({
      all: true,
      filters: { label: [`${SBX_LABELS.managedBy}=${SBX_MANAGED_BY}`] },
    });
  } catch (error) {
    throw wrapDockerError(error, {
      code: 'ENGINE_ERROR',
      doing: 'listing sbx containers',
      engineAddress,
      phase: 'reap',
    });
  }
}

function toManagedContainer(row: DockerContainerSummary): ManagedContainer {
  const labels = row.Labels ?? {};
  return {
    sandboxId: labels[SBX_LABELS.sandboxId] ?? row.Names?.[0]?.replace(/^\//, '') ?? row.Id,
    containerId: row.Id,
    image: row.Image,
    state: row.State,
    owner: labels[SBX_LABELS.owner] ?? '',
    expiresAt: parseExpiry(labels[SBX_LABELS.expiresAt]),
    createdAt: new Date(row.Created * 1000),
  };
}

// Epoch milliseconds as sbx writes them; anything else (`NaN`, empty, out of Date's range) is unreadable.
function parseExpiry(label: string | undefined): Date | undefined {
  if (label === undefined || !/^-?\d+$/.test(label.trim())) return undefined;
  const date = new Date(Number(label));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
