import { DEFAULT_DOCKER_RESOURCES, type DockerSandboxSpec } from '@sbx/bootstrap';
import { MIN_CPUS, MIN_MEMORY_BYTES, overCap, type SandboxPolicy } from '../../core/sandbox-policy.js';
import { checkNetworkPolicy } from './docker-isolation.js';
import { pullWithinPolicy } from './docker-pull-policy.js';

/**
 * Holds a docker spec to the server's policy before any engine call: each limit within its range (400
 * `POLICY_LIMIT` naming the field and the range otherwise), defaults capped, the TTL bounded, egress only with
 * `--allow-network`, pulls only from allowed registries, the engine's log of its output bounded (`logMaxBytes`),
 * and a read-only root filesystem with a bounded `/tmp` unless the policy turns it off. A caller may ask for less
 * than the policy, never more: `readOnlyRootfs: false` under a read-only policy is a `POLICY_LIMIT` too.
 */
export function applyDockerPolicy(
  spec: DockerSandboxSpec,
  policy: SandboxPolicy,
  name: (field: string) => string = (field) => field,
): DockerSandboxSpec {
  const asked = spec.resources ?? {};
  const within = (field: string, value: number | undefined, min: number, max: number, fallback: number) => {
    if (value === undefined) return Math.min(fallback, max);
    if (!(value >= min && value <= max))
      throw overCap(name(field), `must be from ${min} to ${max}, got ${value}`);
    return value;
  };
  const resources = {
    cpus: within('resources.cpus', asked.cpus, MIN_CPUS, policy.maxCpus, DEFAULT_DOCKER_RESOURCES.cpus),
    memoryBytes: within(
      'resources.memoryBytes',
      asked.memoryBytes,
      MIN_MEMORY_BYTES,
      policy.maxMemoryBytes,
      DEFAULT_DOCKER_RESOURCES.memoryBytes,
    ),
    pids: within('resources.pids', asked.pids, 1, policy.maxPids, DEFAULT_DOCKER_RESOURCES.pids),
  };
  if (spec.ttlMs !== undefined && spec.ttlMs > policy.maxTtlMs) {
    throw overCap(name('ttlMs'), `must be at most ${policy.maxTtlMs}, got ${spec.ttlMs}`);
  }
  checkNetworkPolicy(spec, policy, name);
  if (policy.readOnlyRootfs && spec.readOnlyRootfs === false) {
    throw overCap(
      name('readOnlyRootfs'),
      'must be true or left out: sandboxes here have a read-only root filesystem and a bounded /tmp (the operator can turn that off with sbx serve --no-read-only-rootfs)',
    );
  }
  const pull = pullWithinPolicy(spec, policy, name);
  const readOnlyRootfs = spec.readOnlyRootfs ?? policy.readOnlyRootfs;
  const tmp = readOnlyRootfs
    ? {
        tmpfsBytes: policy.tmpfsBytes,
        ...(policy.tmpfsInodes === undefined ? {} : { tmpfsInodes: policy.tmpfsInodes }),
      }
    : {};
  return { ...spec, resources, pull, logMaxBytes: policy.logMaxBytes, readOnlyRootfs, ...tmp };
}
