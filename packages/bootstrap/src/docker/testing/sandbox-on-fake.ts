// What the DockerSandbox unit tests share. Not built into dist.
import { DockerSandbox } from '@sbx/bootstrap';
import { vi } from 'vitest';
import type { DockerContainerCreateOptions } from '../docker-api.js';
import { type FakeContainer, FakeDocker } from '../fake/fake-docker.js';

/** A started container `sbx-1` of image `img` (created with `config`) on a fresh FakeDocker, as a DockerSandbox. */
export async function sandboxOnFake(config: Partial<DockerContainerCreateOptions> = {}) {
  const docker = new FakeDocker(['img']);
  const container = (await docker.createContainer({
    name: 'sbx-1',
    Image: 'img',
    ...config,
  })) as FakeContainer;
  await container.start();
  const logger = { warn: vi.fn(), error: vi.fn() };
  const sandbox = new DockerSandbox({
    id: 'sbx-1',
    runtime: 'runc',
    network: 'none',
    container,
    image: 'img',
    imageSource: 'local',
    owner: 'me:1',
    expiresAt: new Date(0),
    engineAddress: '/var/run/docker.sock',
    logger,
  });
  return { docker, container, sandbox, logger };
}
