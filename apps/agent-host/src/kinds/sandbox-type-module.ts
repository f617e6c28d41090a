import type { Logger, SandboxType } from '@sbx/timing';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { CliIo } from '../cli/cli-io.js';
import type { HostConfig, HostFlags } from '../compose/config.js';
import type { AgentHost } from '../compose/open-agent-host.js';
import type { HostSandboxAdapter, SandboxRuntimes } from '../core/host-adapter.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import type { TemplateImage } from '../templates/template-images.js';

/** What `sbx provision TYPE` gets from the CLI. */
export interface ProvisionCommandContext {
  io: CliIo;
  /**
   * Opens the host, runs `fn` with an abort signal the first Ctrl-C/SIGTERM/SIGHUP fires, then closes the
   * host; `flags` add command flags (a server's policy) to the global ones.
   */
  withHost<T>(
    fn: (agent: AgentHost, signal: AbortSignal) => Promise<T>,
    flags?: Partial<HostFlags>,
  ): Promise<T>;
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
 * Everything the agent host knows of one sandbox type: its adapter, its HTTP request and its CLI command.
 * The registry holds one per entry of @sbx/timing's `SANDBOX_TYPE_TABLE`; the host itself names no type.
 */
export interface SandboxTypeModule {
  readonly type: SandboxType;
  /** Creates the adapter the host provisions with; absent for types provisioned elsewhere (a browser page). */
  createAdapter?(config: HostConfig, logger: Logger): HostSandboxAdapter;
  /** How `POST /v1/sandboxes` provisions it; absent when the host cannot. */
  readonly request?: SandboxRequest;
  /** Why `POST /v1/sandboxes` cannot provision this type and what to do instead (when `request` is absent). */
  readonly notProvisionedHere?: string;
  /** The `sbx provision TYPE` command. */
  provisionCommand(ctx: ProvisionCommandContext): Command;
}
