import type { SandboxType } from '@sbx/timing';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { SANDBOX_MODULES } from './registry.js';
import { admitSandboxBody, parseSandboxBody } from './sandbox-body.js';

/** A request held to the policy and admitted against the engine: what `SandboxService.create` provisions. */
export interface Admitted {
  type: SandboxType;
  spec: unknown;
  deadlineMs?: number;
}

/** Which rules a spec built from CLI flags follows: the server's policy, or the engine's defaults. */
export type PolicyChoice = 'server' | 'engine';

/** Where the adapters are (the host): the adapter of a type, or undefined when it is not provisioned here. */
export interface Adapters {
  adapter(type: SandboxType): HostSandboxAdapter | undefined;
}

/**
 * The kinds' one entry point for a `POST /v1/sandboxes` body: parsed against its type's schema and the policy,
 * the engine pinged (an unreachable engine is a 503, not a recorded failure), then admitted (runtime, network,
 * template) against what the engine offers. A refusal here records nothing.
 */
export async function admitRequest(
  body: unknown,
  policy: SandboxPolicy,
  adapters: Adapters,
): Promise<Admitted> {
  const parsed = parseSandboxBody(body, policy);
  const adapter = adapters.adapter(parsed.type);
  await adapter?.ping?.();
  await admitSandboxBody(parsed, policy, adapter);
  return {
    type: parsed.type,
    spec: parsed.spec,
    ...(parsed.deadlineMs ? { deadlineMs: parsed.deadlineMs } : {}),
  };
}

/**
 * A spec built from `sbx provision TYPE` flags: the engine pinged, then, with `server`, held to the server's
 * policy and admitted against what the engine offers as a body is (errors name flags, `--network`); with
 * `engine`, passed as built (the engine's defaults).
 */
export async function admitBuilt(
  type: SandboxType,
  built: unknown,
  policy: SandboxPolicy,
  adapter: HostSandboxAdapter | undefined,
  choice: PolicyChoice,
): Promise<Admitted> {
  await adapter?.ping?.();
  if (choice === 'engine') return { type, spec: built };
  const module = SANDBOX_MODULES[type];
  const name = (field: string) => `--${field}`;
  const { cli } = module;
  const spec = cli.runner === 'host-batch' && cli.applyPolicy ? cli.applyPolicy(built, policy, name) : built;
  const admit = module.request?.admit;
  if (admit && adapter?.listRuntimes) admit(spec, policy, await adapter.listRuntimes(), name);
  return { type, spec };
}
