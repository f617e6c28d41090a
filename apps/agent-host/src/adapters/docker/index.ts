import { DockerAdapter } from '@sbx/bootstrap';
import Docker from 'dockerode';
import type { SandboxTypeModule } from '../sandbox-type-module.js';
import { dockerProvisionCommand } from './docker-command.js';
import { dockerRequest } from './docker-request.js';

/** Docker containers on this host's engine (dockerode reads DOCKER_HOST and its TLS variables itself). */
export const dockerModule: SandboxTypeModule = {
  type: 'docker',
  createAdapter: (config, logger) =>
    new DockerAdapter({ docker: new Docker(), engineAddress: config.engineAddress, logger }),
  request: dockerRequest as SandboxTypeModule['request'],
  provisionCommand: dockerProvisionCommand,
};
