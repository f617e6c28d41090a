import { Command, Option } from 'commander';
import { envPair } from '../../cli/flags.js';
import { provisionBatchCommand } from '../../cli/provision-command.js';
import { AgentHostError } from '../../errors.js';
import { templateImage } from '../../templates/template-catalog.js';
import type { ProvisionCommandContext } from '../sandbox-type-module.js';
import { toDockerSpec } from './docker-spec.js';

/** `sbx provision docker`: a batch of containers, each optionally running a job, measured and removed. */
export function dockerProvisionCommand(ctx: ProvisionCommandContext): Command {
  const command = new Command('docker')
    .description('provision Docker containers, optionally run a command in each, remove them, print timings')
    .option('--image <image>', 'docker image (must be present locally unless --pull allows)')
    .option(
      '--template <name>',
      'a template built on this host (sbx template build NAME), instead of --image',
    )
    .option('--cmd <command>', 'container command, shell-quoted: "sh -c \'echo ready; sleep 3600\'"')
    .option('--ready <probe>', 'readiness: log:REGEX | exec:CMD | port:N | http:PATH | healthcheck | running')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', envPair)
    .addOption(new Option('--pull <policy>', 'image pull policy').choices(['never', 'missing', 'always']))
    .option('--runtime <name>', "engine runtime, e.g. runsc (default: the engine's default)")
    .addOption(
      new Option('--network <network>', 'none: loopback only; egress: the engine bridge').choices([
        'none',
        'egress',
      ]),
    )
    .addHelpText(
      'after',
      `\nExample:\n  sbx provision docker --image sbx-test/busybox --cmd "sh -c 'echo ready; sleep 3600'" --ready log:ready --count 10`,
    );
  return provisionBatchCommand(command, ctx, (opts) => {
    if (!opts.image === !opts.template) {
      throw new AgentHostError(
        'INVALID_FLAG',
        'give --image or --template for docker sandboxes, e.g. --image sbx-test/busybox or --template node',
      );
    }
    return toDockerSpec(
      {
        image: opts.template ? templateImage(opts.template) : String(opts.image),
        ...(opts.template ? { pull: 'never' as const } : {}),
        cmd: opts.cmd,
        ready: opts.ready,
        env: opts.env,
        ...(opts.pull ? { pull: opts.pull } : {}),
        runtime: opts.runtime,
        network: opts.network,
      },
      (field) => `--${field}`,
      'INVALID_FLAG',
    );
  });
}
