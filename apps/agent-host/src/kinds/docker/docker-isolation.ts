import { DEFAULT_DOCKER_RESOURCES, type DockerSandboxSpec } from '@sbx/bootstrap';
import type { SandboxRuntimes } from '../../core/host-adapter.js';
import { overCap, type SandboxPolicy } from '../../core/sandbox-policy.js';
import { AgentHostError } from '../../errors.js';

/**
 * The fewest pids a gVisor sandbox may ask for. Under runsc the limit counts the Sentry's own host threads (about
 * 40 idle, about 135 with ten sleeping processes): at 128, ten background `sleep`s already fail to fork.
 */
export const GVISOR_MIN_PIDS = 256;

/** A runtime whose binary is gVisor's `runsc`, whatever name it is registered under. */
export function isGvisor(runtime: { name: string; path?: string }): boolean {
  return (runtime.path ?? runtime.name).split('/').pop() === 'runsc';
}

/** Each runtime the engine offers, whether the policy allows it and whether it can give a sandbox egress. */
export interface RuntimeChoice {
  name: string;
  /** The engine's default runtime (always allowed). */
  default: boolean;
  allowed: boolean;
  /** False for a runtime registered with `--network=none` (gVisor here): loopback only, whatever is asked. */
  egress: boolean;
}

/** The engine's runtimes as the policy sees them, the default first. */
export function runtimeChoices(runtimes: SandboxRuntimes, policy: SandboxPolicy): RuntimeChoice[] {
  return runtimes.runtimes
    .map((r) => ({
      name: r.name,
      default: r.name === runtimes.default,
      allowed: r.name === runtimes.default || policy.allowedRuntimes.includes(r.name),
      egress: !r.networkNone,
    }))
    .sort((a, b) => Number(b.default) - Number(a.default));
}

/**
 * Holds a docker spec's runtime and network to the policy and to what the engine has, before any provisioning
 * call: a runtime not allowed is `POLICY_LIMIT` naming the allowed ones; one the engine lacks is
 * `RUNTIME_NOT_FOUND` naming what it has; egress without `--allow-network` is `POLICY_LIMIT`, and egress on a
 * runtime registered with `--network=none` is `INVALID_REQUEST`, as is a gVisor sandbox with fewer than
 * `GVISOR_MIN_PIDS` pids (its commands would fail to fork). `name` spells a field as the caller did.
 */
export function admitDockerIsolation(
  spec: DockerSandboxSpec,
  policy: SandboxPolicy,
  runtimes: SandboxRuntimes,
  name: (field: string) => string = (field) => field,
): void {
  const asked = spec.runtime ?? runtimes.default;
  const allowed = [runtimes.default, ...policy.allowedRuntimes.filter((r) => r !== runtimes.default)];
  if (!allowed.includes(asked)) {
    throw overCap(
      name('runtime'),
      `${JSON.stringify(asked)} is not allowed; allowed: ${allowed.map((r) => (r === runtimes.default ? `${r} (the engine's default)` : r)).join(', ')} (sbx serve --allow-runtime NAME)`,
    );
  }
  const runtime = runtimes.runtimes.find((r) => r.name === asked);
  if (!runtime) {
    throw new AgentHostError(
      'RUNTIME_NOT_FOUND',
      `${name('runtime')}: the Docker engine has no runtime ${JSON.stringify(asked)}; it has ${runtimes.runtimes.map((r) => r.name).join(', ')}`,
    );
  }
  if (spec.network === 'egress' && runtime.networkNone) {
    throw new AgentHostError(
      'INVALID_REQUEST',
      `${name('network')}: runtime ${runtime.name} is registered with --network=none, so its sandboxes have loopback only; ask for network "none" or a runtime with networking`,
    );
  }
  const pids = spec.resources?.pids ?? DEFAULT_DOCKER_RESOURCES.pids;
  if (isGvisor(runtime) && pids < GVISOR_MIN_PIDS) {
    throw new AgentHostError(
      'INVALID_REQUEST',
      `${name('resources.pids')}: ${pids} is below ${GVISOR_MIN_PIDS}, the fewest a sandbox on ${runtime.name} (gVisor) may have: gVisor's own threads count against the limit, so its commands would fail to fork`,
    );
  }
}

/** `network: "egress"` needs `--allow-network`: a `POLICY_LIMIT` otherwise (checked with the other limits). */
export function checkNetworkPolicy(
  spec: DockerSandboxSpec,
  policy: SandboxPolicy,
  name: (field: string) => string = (field) => field,
): void {
  if (spec.network === 'egress' && !policy.allowNetwork) {
    throw overCap(
      name('network'),
      '"egress" is not allowed; sbx serve --allow-network (SBX_ALLOW_NETWORK=1) allows it',
    );
  }
}
