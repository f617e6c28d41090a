// `@sbx/bootstrap/testing`: what sbx's own tests use, for your tests of code that drives a `DockerAdapter`.
// Node.js only. Not needed at run time: import it from test files.

export {
  type FakeAgentIo,
  FakeAgentServer,
  type FakeAgentServerOptions,
} from './agent/fake/fake-agent-server.js';
export {
  DEFAULT_FAKE_COMMANDS,
  type FakeCommand,
  type FakeCommandContext,
} from './agent/fake/fake-commands.js';
export { FakeFileSystem } from './agent/fake/fake-file-system.js';
export { FakeContainer } from './docker/fake/fake-container.js';
export { FakeDocker, type FakeDockerHooks } from './docker/fake/fake-docker.js';
export type { FakeEngineEvent } from './docker/fake/fake-events.js';
export { connectionError, type FakeExecResult, frame, httpError } from './docker/fake/fake-helpers.js';
export { type FakePullFailure, pullError } from './docker/fake/fake-pull-errors.js';
export { DOCKER_TEST_IMAGE } from './docker/test-image.js';
