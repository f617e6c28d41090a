// The browser entry `@sbx/bootstrap/webcontainer`: nothing here imports `node:*`, so a page can load the
// built files as plain ES modules through an import map.
export { BootstrapError, type BootstrapErrorCode, isBootstrapError } from '../errors.js';
export type {
  ExecOptions,
  ExecResult,
  SandboxAdapter,
  SandboxGoneEvent,
  SandboxHandle,
} from '../sandbox-adapter.js';
export { FAKE_SCENARIOS, fakeOptionsFromQuery } from './fake-options-from-query.js';
export {
  createFakeWebContainerApi,
  type FakeWebContainerApi,
  type FakeWebContainerOptions,
  type FakeWebContainerStats,
} from './fake-webcontainer.js';
export {
  MAX_ERROR_MESSAGE_CHARS,
  type ProvisionIngestPayload,
  toIngestPayload,
} from './ingest-payload.js';
export {
  type MeasureWebContainerOptions,
  measureWebContainer,
  type WebContainerMeasurement,
} from './measure-webcontainer.js';
export type { WebContainerGlobals, WebContainerSpec } from './preflight.js';
export {
  DEFAULT_BOOT_TIMEOUT_MS,
  DEFAULT_READY_TIMEOUT_MS,
  WebContainerAdapter,
  type WebContainerAdapterOptions,
} from './webcontainer-adapter.js';
export type {
  FileSystemTree,
  WebContainerApi,
  WebContainerBootOptions,
  WebContainerClass,
  WebContainerInstance,
  WebContainerProcess,
  WebContainerSpawnOptions,
} from './webcontainer-api.js';
export { WebContainerHandle, type WebContainerServer } from './webcontainer-handle.js';
