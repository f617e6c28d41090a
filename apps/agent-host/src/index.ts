// The library entry of `@sbx/agent-host`: the measured sandbox host in one call. The `sbx` command is
// dist/cli.js; nothing here starts a server or reads flags.
export {
  type CreateSandboxHostOptions,
  createSandboxHost,
  type HostSandboxSpecs,
  type MeasuredSandboxHost,
} from './compose/create-sandbox-host.js';
export type { HostSandbox } from './core/host-adapter.js';
export type { CloseReport, JobRun, ProvisionCallOptions, Provisioned } from './core/sandbox-host.js';
export { AgentHostError, type AgentHostErrorCode, isAgentHostError } from './errors.js';
