import type { Logger, SandboxType } from '@sbx/timing';
import type { z } from 'zod';
import type { HostSandboxAdapter, SandboxRuntimes } from '../core/host-adapter.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import type { TemplateImage } from '../templates/template-images.js';
import type { KindCli } from './kind-cli.js';

export type { KindCli, KindFlag } from './kind-cli.js';

/** What a kind's backend factory reads of the host's configuration (a `HostConfig` is one). */
export interface KindBackendConfig {
  /** DOCKER_HOST as given, for the error that names it. */
  dockerHost: string | undefined;
  /** The engine's address as the host reports it. */
  engineAddress: string;
  /** Where each sandbox's in-sandbox agent directory is made (`<stateDir>/agents`); none: no agent. */
  agentDir?: string | undefined;
}

/** How the HTTP API provisions this type: the body fields (besides `type`) and how they become a spec. */
export interface SandboxRequest<Body = never> {
  /** The fields of `POST /v1/sandboxes` for this type, `type` excluded (strict: unknown fields are 400). */
  schema: z.ZodObject;
  /** Turns a validated body into the adapter's spec within the server's policy; throws naming the field. */
  toSpec(body: Body, policy: SandboxPolicy): unknown;
  /**
   * Checks a spec against the policy and what the backend offers (its runtimes), once they are known; throws
   * naming the field (`name` spells it as the caller did).
   */
  admit?(
    spec: unknown,
    policy: SandboxPolicy,
    runtimes: SandboxRuntimes,
    name?: (field: string) => string,
  ): void;
  /** The template a validated body asks for (`template: NAME`), if any. */
  template?(body: Body): string | undefined;
  /** The spec pinned to the built template (its image by hash, its readiness probe unless the body gave one). */
  applyTemplate?(spec: unknown, found: TemplateImage): unknown;
}

/**
 * Everything the agent host knows of one sandbox kind, as data: its backend factory, its HTTP request, the
 * phases it reports and its `sbx provision TYPE` flags. The registry holds one per entry of @sbx/timing's
 * `SANDBOX_TYPE_TABLE`; the host names no kind, and the CLI and HTTP derive their flags and schemas from here.
 */
export interface SandboxTypeModule {
  readonly type: SandboxType;
  /** Creates the adapter the host provisions with; absent for types provisioned elsewhere (a browser page). */
  createAdapter?(config: KindBackendConfig, logger: Logger): HostSandboxAdapter;
  /** How `POST /v1/sandboxes` provisions it; absent when the host cannot. */
  readonly request?: SandboxRequest;
  /** Why `POST /v1/sandboxes` cannot provision this type and what to do instead (when `request` is absent). */
  readonly notProvisionedHere?: string;
  /** The phases a provisioning of this kind reports, in order; anything else is refused at ingest. */
  readonly phases: readonly string[];
  /** The `sbx provision TYPE` command, as data. */
  readonly cli: KindCli;
}
