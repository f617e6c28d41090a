import type { DockerSandboxSpec } from '@sbx/bootstrap';
import { AgentHostError } from '../../errors.js';
import { templateImage } from '../../templates/template-catalog.js';
import type { KindCli } from '../kind-cli.js';
import { applyDockerPolicy } from './docker-policy.js';
import { toDockerSpec } from './docker-spec.js';

/** `sbx provision docker`: a batch of containers, each optionally running a job, measured and removed. */
export const dockerCli: KindCli = {
  runner: 'host-batch',
  description: 'provision Docker containers, optionally run a command in each, remove them, print timings',
  flags: [
    { flags: '--image <image>', description: 'docker image (must be present locally unless --pull allows)' },
    {
      flags: '--template <name>',
      description: 'a template built on this host (sbx template build NAME), instead of --image',
    },
    {
      flags: '--cmd <command>',
      description: 'container command, shell-quoted: "sh -c \'echo ready; sleep 3600\'"',
    },
    {
      flags: '--ready <probe>',
      description: 'readiness: log:REGEX | exec:CMD | port:N | http:PATH | healthcheck | running',
    },
    { flags: '--env <KEY=VALUE>', description: 'environment variable (repeatable)', parse: 'env-pair' },
    { flags: '--pull <policy>', description: 'image pull policy', choices: ['never', 'missing', 'always'] },
    { flags: '--runtime <name>', description: "engine runtime, e.g. runsc (default: the engine's default)" },
    {
      flags: '--network <network>',
      description: 'none: loopback only; egress: the engine bridge',
      choices: ['none', 'egress'],
    },
  ],
  example: `sbx provision docker --image sbx-test/busybox --cmd "sh -c 'echo ready; sleep 3600'" --ready log:ready --count 10`,
  toSpec: (opts) => {
    if (!opts.image === !opts.template) {
      throw new AgentHostError(
        'INVALID_FLAG',
        'give --image or --template for docker sandboxes, e.g. --image sbx-test/busybox or --template node',
      );
    }
    return toDockerSpec(
      {
        image: opts.template ? templateImage(String(opts.template)) : String(opts.image),
        ...(opts.template ? { pull: 'never' as const } : {}),
        cmd: opts.cmd as string | undefined,
        ready: opts.ready as string | undefined,
        env: opts.env as Record<string, string> | undefined,
        ...(opts.pull ? { pull: opts.pull as 'never' | 'missing' | 'always' } : {}),
        runtime: opts.runtime as string | undefined,
        network: opts.network as 'none' | 'egress' | undefined,
      },
      (field) => `--${field}`,
      'INVALID_FLAG',
    );
  },
  applyPolicy: (spec, policy, name) => applyDockerPolicy(spec as DockerSandboxSpec, policy, name),
};
