import type { DockerContainerApi } from './docker-api.js';
import { engineMessage, isNotFound, statusCodeOf, wrapDockerError } from './docker-error.js';

/**
 * Force-removes a container with its anonymous volumes. Resolves to false when it was already gone (or
 * the engine is already removing it); any other failure is a wrapped `BootstrapError`.
 */
export async function removeContainer(
  container: DockerContainerApi,
  engineAddress: string,
  phase?: string,
): Promise<boolean> {
  try {
    await container.remove({ force: true, v: true });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    if (statusCodeOf(error) === 409 && /already in progress/i.test(engineMessage(error))) return false;
    throw wrapDockerError(error, {
      code: 'ENGINE_ERROR',
      doing: `removing container ${container.id}`,
      engineAddress,
      ...(phase === undefined ? {} : { phase }),
    });
  }
}
