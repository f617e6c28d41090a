import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { wholeNumber } from '../flags.js';
import { type RemoteFlags, runRemote, withRemoteFlags } from './remote-context.js';

/** `sbx exec ID -- CMD...`: runs a command in a sandbox, streaming its output; exits with the command's code. */
export function execCommand(io: CliIo): Command {
  const command = new Command('exec')
    .description("run a command in a sandbox, streaming its output, and exit with the command's code")
    .argument('<id>', 'sandbox id')
    .argument('<cmd...>', 'the command (one word with spaces runs with sh -c)')
    .option('--timeout-ms <ms>', 'kill it after this long', wholeNumber('--timeout-ms'))
    .addHelpText('after', '\nExample:\n  sbx exec sbx-1a2b -- sh -c "echo hi; ls /tmp"');
  return withRemoteFlags(command, io).action(
    (id: string, cmd: string[], opts: RemoteFlags & { timeoutMs?: number }) =>
      runRemote(io, opts, async (client) => {
        const streaming = !opts.json;
        const result = await client.sandboxes.get(id).exec(cmd.length === 1 ? (cmd[0] as string) : cmd, {
          ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
          ...(streaming
            ? {
                onStdout: (_t, bytes) => io.stdout.write(bytes),
                onStderr: (_t, bytes) => io.stderr.write(bytes),
              }
            : {}),
        });
        if (opts.json) io.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.outcome === 'timeout') io.stderr.write('sbx: the command timed out and was killed\n');
        io.setExitCode?.(result.exitCode === -1 ? 124 : result.exitCode);
      }),
  );
}

/** `sbx logs ID [-f]`: a sandbox's own output. */
export function logsCommand(io: CliIo): Command {
  const command = new Command('logs')
    .description("print a sandbox's own output (its main process)")
    .argument('<id>', 'sandbox id')
    .option('-f, --follow', 'keep printing new output until the sandbox ends (Ctrl-C stops)')
    .option('--tail <n>', 'only the last N lines so far', wholeNumber('--tail', { max: 10_000 }));
  return withRemoteFlags(command, io).action(
    (id: string, opts: RemoteFlags & { follow?: boolean; tail?: number }) =>
      runRemote(io, opts, async (client) => {
        const result = await client.sandboxes.get(id).logs({
          ...(opts.follow ? { follow: true } : {}),
          ...(opts.tail ? { tail: opts.tail } : {}),
          ...(opts.json
            ? {}
            : {
                onStdout: (_t, bytes) => io.stdout.write(bytes),
                onStderr: (_t, bytes) => io.stderr.write(bytes),
              }),
        });
        if (opts.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      }),
  );
}
