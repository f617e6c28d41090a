import { type DockerSandboxSpec, parseImageReference } from '@sbx/bootstrap';
import { DEFAULT_REGISTRY } from '../../core/allowed-registries.js';
import { overCap, type SandboxPolicy } from '../../core/sandbox-policy.js';

/** The registry an image reference pulls from, as the allow-list names it (`default` when it names no host). */
export function registryOf(image: string): string {
  return parseImageReference(image).domain?.toLowerCase() ?? DEFAULT_REGISTRY;
}

/**
 * The pull a sandbox gets: what it asked (default `missing`) when its image's registry is allowed
 * (`--allow-registry`), else `never`, so the engine never contacts a host the operator did not name. Asking
 * for a pull (`missing`, `always`) from a registry that is not allowed is 400 `POLICY_LIMIT` saying the fix;
 * checked before any engine call.
 */
export function pullWithinPolicy(
  spec: DockerSandboxSpec,
  policy: SandboxPolicy,
  name: (field: string) => string = (field) => field,
): NonNullable<DockerSandboxSpec['pull']> {
  const registry = registryOf(spec.image);
  if (policy.allowedRegistries.includes(registry)) return spec.pull ?? 'missing';
  if (spec.pull === undefined || spec.pull === 'never') return 'never';
  const allowed = policy.allowedRegistries.length === 0 ? 'none' : policy.allowedRegistries.join(', ');
  throw overCap(
    name('pull'),
    `${JSON.stringify(spec.pull)} would pull from registry ${registry}, which is not allowed (allowed: ${allowed}); build or load the image on the engine's host (docker build, docker load) and leave pull out, or the operator allows the registry with sbx serve --allow-registry ${registry} (SBX_ALLOW_REGISTRIES)`,
  );
}
