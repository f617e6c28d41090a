// The browser entry `@sbx/bootstrap/webcontainer`: nothing here imports `node:*`, so a page can load the
// built files as plain ES modules through an import map. The fake is in `@sbx/bootstrap/webcontainer/testing`.
export { BootstrapError, type BootstrapErrorCode, isBootstrapError } from '../errors.js';
export type {
  ExecOptions,
  ExecResult,
  SandboxAdapter,
  SandboxGoneEvent,
  SandboxHandle,
} from '../sandbox-adapter.js';
export { type ProvisionIngestPayload, toIngestPayload } from './ingest-payload.js';
export {
  type MeasureWebContainerOptions,
  measureWebContainer,
  type WebContainerMeasurement,
} from './measure-webcontainer.js';
export type { WebContainerGlobals, WebContainerSpec } from './preflight.js';
export { WebContainerAdapter, type WebContainerAdapterOptions } from './webcontainer-adapter.js';
export type { FileSystemTree, WebContainerApi } from './webcontainer-api.js';
export { WebContainerHandle, type WebContainerServer } from './webcontainer-handle.js';
