import { DEFAULT_DOCKER_RESOURCES, DockerAdapter, type DockerSandboxSpec } from '@sbx/bootstrap';
import Docker from 'dockerode';
import { AgentHostError } from '../../errors.js';
import { listTemplateImages, type TemplateEngine } from '../../templates/template-images.js';
import type { SandboxTypeModule } from '../sandbox-type-module.js';
import { abandonContainers } from './abandon-containers.js';
import { dockerProvisionCommand } from './docker-command.js';
import { dockerRequest } from './docker-request.js';

/** Docker containers on this host's engine (dockerode reads DOCKER_HOST and its TLS variables itself). */
export const dockerModule: SandboxTypeModule = {
  type: 'docker',
  createAdapter: (config, logger) => {
    const docker = dockerClient(config.dockerHost);
    const { engineAddress, agentDir } = config;
    return Object.assign(new DockerAdapter({ docker, engineAddress, logger, agentDir }), {
      // sandbox ids are container names
      abandon: abandonContainers,
      pidsOf: (spec: DockerSandboxSpec) => spec.resources?.pids ?? DEFAULT_DOCKER_RESOURCES.pids,
      listTemplates: () => listTemplateImages(docker as unknown as TemplateEngine),
    });
  },
  request: dockerRequest as SandboxTypeModule['request'],
  provisionCommand: dockerProvisionCommand,
};

/** `new Dockerode()` (which reads DOCKER_HOST), or an `INVALID_CONFIG` error that says what DOCKER_HOST must be. */
export function dockerClient(dockerHost: string | undefined): Docker {
  try {
    return new Docker();
  } catch (error) {
    throw new AgentHostError(
      'INVALID_CONFIG',
      `DOCKER_HOST ${JSON.stringify(dockerHost)} is not an engine address: use unix:///path/to/docker.sock or tcp://host:port (${(error as Error).message})`,
      { cause: error },
    );
  }
}
