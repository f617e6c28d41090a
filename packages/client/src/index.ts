export type {
  Created,
  ExecEvent,
  ExitInfo,
  FileEntry,
  FilePathEntry,
  LogEvent,
  PoolRequest,
  PreviewUrl,
  ProcessInfo,
  ProcessOutputEvent,
  RuntimeList,
  SandboxInfo,
  SandboxSpec,
  TemplateList,
  WatchEvent,
} from './api-types.js';
export { isSbxError, SbxError, type SbxErrorCode, type SbxErrorOptions } from './errors.js';
export {
  type ProcessExit,
  ProcessHandle,
  type ProcessSignal,
  type WaitOptions,
} from './process-handle.js';
export {
  type ExecOptions,
  type ExecResult,
  type LogsOptions,
  Sandbox,
  type StartOptions,
} from './sandbox.js';
export type { FileCallOptions, SandboxFiles } from './sandbox-files.js';
export { type CreatedSandbox, type CreateOptions, SbxClient, type SbxClientOptions } from './sbx-client.js';
export type {
  Terminal,
  TerminalExit,
  TerminalOptions,
  WebSocketFactory,
  WebSocketLike,
} from './terminal.js';
export type { components, paths } from './types.js';
