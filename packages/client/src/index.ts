export type {
  Created,
  ExecEvent,
  ExitInfo,
  FileEntry,
  LogEvent,
  PoolRequest,
  RuntimeList,
  SandboxInfo,
  SandboxSpec,
  TemplateList,
} from './api-types.js';
export { isSbxError, SbxError, type SbxErrorCode, type SbxErrorOptions } from './errors.js';
export {
  type ExecOptions,
  type ExecResult,
  type LogsOptions,
  Sandbox,
  type SandboxFiles,
} from './sandbox.js';
export { type CreatedSandbox, type CreateOptions, SbxClient, type SbxClientOptions } from './sbx-client.js';
export type { components, paths } from './types.js';
