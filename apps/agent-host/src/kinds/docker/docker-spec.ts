import { type DockerSandboxSpec, parseImageReference, parseReadinessProbe } from '@sbx/bootstrap';
import { AgentHostError, type AgentHostErrorCode } from '../../errors.js';
import { splitCommand } from '../../shell-words.js';

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
  readOnlyRootfs?: boolean | undefined;
  user?: string | undefined;
  runtime?: string | undefined;
  network?: DockerSandboxSpec['network'] | undefined;
  agent?: boolean | undefined;
}

/**
 * Turns user input into the adapter's spec. A bad command or probe throws `INVALID_REQUEST` (or
 * `INVALID_FLAG` on the CLI; `INVALID_IMAGE` for a bad image reference over HTTP) naming the field as the caller spelled it (`name('cmd')` -> `cmd` or `--cmd`).
 */
export function toDockerSpec(
  input: DockerSpecInput,
  name: (field: string) => string = (field) => field,
  code: 'INVALID_REQUEST' | 'INVALID_FLAG' = 'INVALID_REQUEST',
): DockerSandboxSpec {
  const field = <T>(key: string, parse: () => T, fieldCode: AgentHostErrorCode = code): T => {
    try {
      return parse();
    } catch (error) {
      throw new AgentHostError(fieldCode, `${name(key)}: ${(error as Error).message}`, { cause: error });
    }
  };
  // Checked before any engine call: the engine answers some bad references with a redirect.
  field('image', () => parseImageReference(input.image), code === 'INVALID_FLAG' ? code : 'INVALID_IMAGE');
  const spec: DockerSandboxSpec = { image: input.image };
  const { cmd, ready } = input;
  if (cmd !== undefined)
    spec.cmd = field('cmd', () => (typeof cmd === 'string' ? splitCommand(cmd) : [...cmd]));
  if (ready !== undefined) spec.ready = field('ready', () => parseReadinessProbe(ready));
  if (input.env !== undefined) spec.env = input.env;
  if (input.workingDir !== undefined) spec.workingDir = input.workingDir;
  if (input.pull !== undefined) spec.pull = input.pull;
  if (input.resources !== undefined) spec.resources = input.resources;
  if (input.ttlMs !== undefined) spec.ttlMs = input.ttlMs;
  if (input.readOnlyRootfs !== undefined) spec.readOnlyRootfs = input.readOnlyRootfs;
  if (input.user !== undefined) spec.user = input.user;
  if (input.runtime !== undefined) spec.runtime = input.runtime;
  if (input.network !== undefined) spec.network = input.network;
  if (input.agent !== undefined) spec.agent = input.agent;
  return spec;
}
