// The library entry of `@sbx/agent-host`: the measured sandbox host in one call. The `sbx` command is
// dist/cli.js; nothing here starts a server or reads flags.
export {
  type CreateSandboxHostOptions,
  createSandboxHost,
  type HostSandboxSpecs,
  type MeasuredSandboxHost,
} from './create-sandbox-host.js';
export { AgentHostError, type AgentHostErrorCode, isAgentHostError } from './errors.js';
export type { HostSandbox } from './sandbox/host-adapter.js';
export type { CloseReport, JobRun, ProvisionCallOptions, Provisioned } from './sandbox/sandbox-host.js';
