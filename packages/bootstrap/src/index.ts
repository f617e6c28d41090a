export {
  buildContainerConfig,
  type ContainerIdentity,
  SBX_LABELS,
  SBX_MANAGED_BY,
} from './docker/container-config.js';
export { DEFAULT_SANDBOX_TTL_MS, DockerAdapter, type DockerAdapterOptions } from './docker/docker-adapter.js';
export type {
  DockerApi,
  DockerArchiveOptions,
  DockerCallOptions,
  DockerContainerApi,
  DockerContainerCreateOptions,
  DockerContainerInspect,
  DockerContainerSummary,
  DockerEventsOptions,
  DockerExecApi,
  DockerExecCreateOptions,
  DockerHealthConfig,
  DockerImageApi,
  DockerListContainersOptions,
  DockerLogsOptions,
  DockerLogsSnapshotOptions,
  DockerMount,
  DockerPutArchiveOptions,
} from './docker/docker-api.js';
export { DEFAULT_DOCKER_SOCKET } from './docker/docker-error.js';
export { DockerSandbox, type DockerSandboxInit, EXEC_MARKER_ENV } from './docker/docker-sandbox.js';
export {
  DEFAULT_DOCKER_RESOURCES,
  type DockerHealthcheckSpec,
  type DockerResources,
  type DockerSandboxSpec,
  MAX_SANDBOX_TTL_MS,
  type ResolvedDockerSandboxSpec,
  resolveDockerSandboxSpec,
} from './docker/docker-sandbox-spec.js';
export type { ImageSource } from './docker/ensure-image.js';
export {
  type ImageReference,
  MAX_IMAGE_REFERENCE_CHARS,
  parseImageReference,
} from './docker/image-reference.js';
export type { ManagedContainer, ReapOptions } from './docker/managed-containers.js';
export { defaultOwner, isLocalOwnerAlive, type LocalProcesses } from './docker/owner.js';
export {
  DEFAULT_READINESS_PROBE,
  parseReadinessProbe,
  type ReadinessProbe,
  validateReadinessProbe,
} from './docker/readiness-probe.js';
export { DOCKER_TEST_IMAGE } from './docker/test-image.js';
export { DEFAULT_PROBE_INTERVAL_MS } from './docker/wait-for-readiness.js';
export {
  BootstrapError,
  type BootstrapErrorCode,
  type BootstrapErrorOptions,
  isBootstrapError,
} from './errors.js';
export type {
  ExecOptions,
  ExecResult,
  FileCallOptions,
  FileList,
  FileRead,
  FileStat,
  LogsOptions,
  LogsResult,
  SandboxAdapter,
  SandboxFiles,
  SandboxGoneEvent,
  SandboxHandle,
} from './sandbox-adapter.js';
