import type { SandboxType } from '@sbx/timing';
import type { SandboxHost } from '../core/sandbox-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { SANDBOX_MODULES } from '../kinds/registry.js';
import { admitSandboxBody, parseSandboxBody } from '../kinds/sandbox-body.js';

/** A request held to the policy and admitted against the engine: what `SandboxService.create` provisions. */
export interface Admitted {
  type: SandboxType;
  spec: unknown;
  deadlineMs?: number;
}

/** Which rules a spec built from CLI flags follows: the server's policy, or the engine's defaults. */
export type PolicyChoice = 'server' | 'engine';

/**
 * A `POST /v1/sandboxes` body parsed against the policy, the engine pinged (an unreachable engine is a 503, not
 * a recorded failure) and the body admitted (runtime, network, template): a refusal here records nothing.
 */
export async function admitBody(host: SandboxHost, policy: SandboxPolicy, body: unknown): Promise<Admitted> {
  const parsed = parseSandboxBody(body, policy);
  const adapter = host.adapter(parsed.type);
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
export async function admitFlags(
  host: SandboxHost,
  policy: SandboxPolicy,
  type: SandboxType,
  built: unknown,
  choice: PolicyChoice,
): Promise<Admitted> {
  const adapter = host.adapter(type);
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
