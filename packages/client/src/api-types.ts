// Names for the generated OpenAPI types (types.ts) that the client's API uses.
import type { components, paths } from './types.js';

type Schemas = components['schemas'];

/** A live sandbox as the host describes it. */
export type SandboxInfo = Schemas['Sandbox'];
type CreateBody = paths['/v1/sandboxes']['post']['requestBody']['content']['application/json'];
/** The body of `POST /v1/sandboxes` for a new sandbox (a docker sandbox: `image`, `cmd`, `ready`, ...). */
export type SandboxSpec = Extract<CreateBody, { type: string }>;
/** The body of `POST /v1/sandboxes` that takes a sandbox from a warm pool: `{ pool, deadlineMs? }`. */
export type PoolRequest = Extract<CreateBody, { pool: string }>;
/** What `POST /v1/sandboxes` answers: the id and how the provisioning went. */
export type Created = Schemas['Created'];
/** What `GET /v1/runtimes` answers: the engine's runtimes, which the host's policy allows, and egress. */
export type RuntimeList = Schemas['RuntimeList'];
/** What `GET /v1/templates` answers: the templates built on the host, usable as `template: NAME`. */
export type TemplateList = Schemas['TemplateList'];
/** One line of a streamed exec. */
export type ExecEvent = Schemas['ExecEvent'];
/** One line of a log stream. */
export type LogEvent = Schemas['LogEvent'];
/** How a streamed command ended. */
export type ExitInfo = Schemas['ExitEvent']['exit'];
/** One directory entry. */
export type FileEntry = Schemas['FileEntry'];
/** One entry with its absolute path (`files.stat`, `files.list`). */
export type FilePathEntry = Schemas['FilePathEntry'];
/** One change a file watch saw (`overflow`: some were dropped, look again). */
export type WatchEvent = Schemas['WatchEvent'];
/** A signed preview URL of a port inside a sandbox. */
export type PreviewUrl = Schemas['PreviewUrl'];
/** The body of `POST /v1/sandboxes/:id/exec`. */
export type ExecRequest =
  paths['/v1/sandboxes/{id}/exec']['post']['requestBody']['content']['application/json'];
/** A process the in-sandbox agent lists. */
export type ProcessInfo = Schemas['ProcessInfo'];
/** One line of a process's followed output. */
export type ProcessOutputEvent = Schemas['ProcessOutputEvent'];
