export type { AgentErrorCode } from './agent/agent-fields.js';
export type { AgentFileOptions } from './agent/agent-files.js';
export { type AgentOutput, AgentProcess } from './agent/agent-process.js';
export type { StartOptions as AgentStartOptions } from './agent/agent-requests.js';
export {
  type AgentConnection,
  type AgentTransport,
  SocketConnection,
  UnixSocketTransport,
  type UnixSocketTransportOptions,
} from './agent/agent-transport.js';
export {
  AGENT_SIGNALS,
  type AgentExit,
  type AgentFileList,
  type AgentFileStat,
  type AgentHello,
  type AgentProcessInfo,
  type AgentSignal,
  type WatchEvent,
} from './agent/agent-types.js';
export {
  AGENT_PROTOCOL_VERSION,
  type AgentFrame,
  FRAME,
  type FrameKind,
  MAX_FRAME_BYTES,
  MAX_JSON_BYTES,
} from './agent/frame-codec.js';
export { AgentPortStream } from './agent/port-stream.js';
export { type AgentRunOptions, SandboxAgent, type SandboxAgentOptions } from './agent/sandbox-agent.js';
export { DockerAdapter, type DockerAdapterOptions } from './docker/docker-adapter.js';
export type {
  DockerApi,
  DockerArchiveOptions,
  DockerCallOptions,
  DockerContainerApi,
  DockerContainerCreateOptions,
  DockerContainerInspect,
  DockerContainerSummary,
  DockerEngineInfo,
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
export type { DockerRuntime, DockerRuntimes } from './docker/docker-runtimes.js';
export { DockerSandbox } from './docker/docker-sandbox.js';
export {
  DEFAULT_DOCKER_RESOURCES,
  DOCKER_NETWORKS,
  type DockerHealthcheckSpec,
  type DockerNetwork,
  type DockerResources,
  type DockerSandboxSpec,
  MAX_SANDBOX_TTL_MS,
} from './docker/docker-sandbox-spec.js';
export { type ImageReference, parseImageReference } from './docker/image-reference.js';
export type { ManagedContainer, ReapOptions } from './docker/managed-containers.js';
export { defaultOwner, isLocalOwnerAlive, type LocalProcesses } from './docker/owner.js';
export { parseReadinessProbe, type ReadinessProbe } from './docker/readiness-probe.js';
export {
  BOOTSTRAP_ERROR_CAUSES,
  BootstrapError,
  type BootstrapErrorCode,
  isBootstrapError,
} from './errors.js';
export type { PoolHandle } from './pool/pool-members.js';
export type {
  AcquireOptions,
  LeaseSource,
  PoolAdapter,
  PoolCloseReport,
  PoolLease,
  PoolStats,
  SandboxPoolOptions,
} from './pool/pool-types.js';
export { SandboxPool } from './pool/sandbox-pool.js';
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
