import { type DockerSandboxSpec, parseReadinessProbe } from '@sbx/bootstrap';
import { splitCommand } from '../shell-words.js';

/** The docker sandbox options a user gives on the CLI or over HTTP. */
export interface DockerSpecInput {
  image: string;
  cmd?: string | readonly string[] | undefined;
  ready?: string | undefined;
  env?: Record<string, string> | undefined;
  workingDir?: string | undefined;
  pull?: DockerSandboxSpec['pull'] | undefined;
  resources?: DockerSandboxSpec['resources'] | undefined;
  ttlMs?: number | undefined;
}

/** Turns user input into the adapter's spec; a bad probe throws `BootstrapError('INVALID_SPEC')`. */
export function toDockerSpec(input: DockerSpecInput): DockerSandboxSpec {
  const spec: DockerSandboxSpec = { image: input.image };
  if (input.cmd !== undefined)
    spec.cmd = typeof input.cmd === 'string' ? splitCommand(input.cmd) : [...input.cmd];
  if (input.ready !== undefined) spec.ready = parseReadinessProbe(input.ready);
  if (input.env !== undefined) spec.env = input.env;
  if (input.workingDir !== undefined) spec.workingDir = input.workingDir;
  if (input.pull !== undefined) spec.pull = input.pull;
  if (input.resources !== undefined) spec.resources = input.resources;
  if (input.ttlMs !== undefined) spec.ttlMs = input.ttlMs;
  return spec;
}
