import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { table } from '../format.js';
import { type RemoteFlags, runRemote, withRemoteFlags } from './remote-context.js';

/** `sbx runtimes`: the engine runtimes a running host offers (`GET /v1/runtimes`) and which its policy allows. */
export function runtimesCommand(io: CliIo): Command {
  return withRemoteFlags(
    new Command('runtimes').description(
      'list the engine runtimes a running host offers (runc, runsc, ...) and which `sbx create --runtime` may ask for',
    ),
    io,
  ).action((opts: RemoteFlags) =>
    runRemote(io, opts, async (client) => {
      const list = await client.runtimes();
      if (opts.json) {
        io.stdout.write(`${JSON.stringify(list)}\n`);
        return;
      }
      const yes = (b: boolean) => (b ? 'yes' : 'no');
      const rows = list.runtimes.map((r) => [r.name, yes(r.default), yes(r.allowed), yes(r.egress)]);
      io.stdout.write(`${table([['RUNTIME', 'DEFAULT', 'ALLOWED', 'EGRESS'], ...rows])}\n`);
      io.stdout.write(
        `network egress ${list.allowNetwork ? 'allowed' : 'not allowed (sbx serve --allow-network)'}; a runtime not allowed needs sbx serve --allow-runtime NAME\n`,
      );
    }),
  );
}
