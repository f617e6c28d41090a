import { Command, Option } from 'commander';
import type { CliIo } from '../cli-io.js';
import { envPair, wholeNumber } from '../flags.js';
import { table } from '../format.js';
import { type RemoteFlags, runRemote, withRemoteFlags } from './remote-context.js';

/** `sbx create`: provisions a sandbox on a running host and prints its id. */
export function createCommand(io: CliIo): Command {
  const command = new Command('create')
    .description('create a sandbox on a running host (sbx serve) and print its id')
    .option('--pool <pool>', 'take one from this warm pool (where the host has pools)')
    .option('--image <image>', 'docker image')
    .option('--template <name>', 'a template built on the host (sbx template build NAME), instead of --image')
    .option('--cmd <command>', 'its command, shell-quoted: "sh -c \'echo ready; exec sleep 3600\'"')
    .option('--ready <probe>', 'readiness: log:REGEX | exec:CMD | port:N | http:PATH | healthcheck | running')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', envPair)
    .option('--ttl-ms <ms>', 'how long it may live', wholeNumber('--ttl-ms'))
    .option(
      '--runtime <name>',
      "engine runtime, e.g. runsc (the host's policy allows each; sbx runtimes lists them)",
    )
    .addOption(
      new Option(
        '--network <network>',
        'none: loopback only; egress: the engine bridge (if the host allows it)',
      ).choices(['none', 'egress']),
    )
    .addHelpText(
      'after',
      '\nExample:\n  sbx create --image sbx-test/busybox --cmd "sh -c \'echo ready; exec sleep 3600\'" --ready log:ready\n  sbx create --image sbx-test/busybox --runtime runsc\n  sbx create --template python',
    );
  return withRemoteFlags(command, io).action((opts: RemoteFlags & Record<string, unknown>) =>
    runRemote(io, opts, async (client) => {
      if (!opts.pool && !opts.image && !opts.template)
        throw Object.assign(new Error('give --image IMAGE, --template NAME or --pool POOL'), {
          code: 'INVALID_FLAG',
        });
      const spec = opts.pool
        ? { pool: String(opts.pool) }
        : {
            ...(opts.image ? { image: String(opts.image) } : {}),
            ...(opts.template ? { template: String(opts.template) } : {}),
            ...(opts.cmd ? { cmd: String(opts.cmd) } : {}),
            ...(opts.ready ? { ready: String(opts.ready) } : {}),
            ...(opts.env ? { env: opts.env as Record<string, string> } : {}),
            ...(opts.ttlMs ? { ttlMs: Number(opts.ttlMs) } : {}),
            ...(opts.runtime ? { runtime: String(opts.runtime) } : {}),
            ...(opts.network ? { network: opts.network as 'none' | 'egress' } : {}),
          };
      const box = await client.sandboxes.create(spec);
      io.stdout.write(opts.json ? `${JSON.stringify(box.created)}\n` : `${box.id}\n`);
    }),
  );
}

/** `sbx ls`: the caller's live sandboxes on a running host. */
export function lsCommand(io: CliIo): Command {
  return withRemoteFlags(
    new Command('ls').description('list your live sandboxes on a running host'),
    io,
  ).action((opts: RemoteFlags) =>
    runRemote(io, opts, async (client) => {
      const sandboxes = await client.sandboxes.list();
      if (opts.json) {
        io.stdout.write(`${JSON.stringify({ sandboxes })}\n`);
        return;
      }
      const rows = sandboxes.map((s) => [
        s.id,
        s.image ?? '-',
        s.runtime ?? '-',
        s.network ?? '-',
        s.pool ?? '-',
        s.createdAt,
        s.expiresAt,
      ]);
      io.stdout.write(
        `${table([['ID', 'IMAGE', 'RUNTIME', 'NETWORK', 'POOL', 'CREATED', 'EXPIRES'], ...rows])}\n`,
      );
    }),
  );
}

/** `sbx rm ID...`: removes sandboxes on a running host. */
export function rmCommand(io: CliIo): Command {
  const command = new Command('rm')
    .description('remove sandboxes on a running host')
    .argument('<ids...>', 'sandbox ids');
  return withRemoteFlags(command, io).action((ids: string[], opts: RemoteFlags) =>
    runRemote(io, opts, async (client) => {
      for (const id of ids) await client.sandboxes.get(id).kill();
      io.stdout.write(opts.json ? `${JSON.stringify({ removed: ids })}\n` : `${ids.join('\n')}\n`);
    }),
  );
}
