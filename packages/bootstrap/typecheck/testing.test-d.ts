// The README's "Testing your code" example, compiled as a strict consumer would. Never run (unit tests run
// the fake itself).
import { DockerAdapter } from '@sbx/bootstrap';
import { DOCKER_TEST_IMAGE, FakeDocker, httpError } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';

const docker = new FakeDocker([DOCKER_TEST_IMAGE]);
const adapter = new DockerAdapter({ docker });
docker.hooks.start = () => Promise.reject(httpError(500, 'driver failed'));
await new SandboxProvisioner()
  .provision({ type: 'docker', bootstrapFn: (ctx) => adapter.provision({ image: DOCKER_TEST_IMAGE }, ctx) })
  .catch(() => undefined);
console.log(docker.calls, docker.live.length, docker.openStreams.length);
