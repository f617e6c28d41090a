import type { ProcessHandle } from '@sbx/client';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { envPair, wholeNumber } from '../flags.js';
import { type RemoteFlags, runRemote, withRemoteFlags } from './remote-context.js';

/** The flags of `sbx exec`. */
interface ExecFlags extends RemoteFlags {
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  stdin?: boolean;
  detach?: boolean;
}

/**
 * `sbx exec ID -- CMD...`: runs a command in a sandbox, streaming its output; exits with the command's code.
 * `--stdin` pipes the CLI's standard input to it and `--detach` starts it in the background and prints its pid
 * (both through the in-sandbox agent).
 */
export function execCommand(io: CliIo): Command {
  const command = new Command('exec')
    .description("run a command in a sandbox, streaming its output, and exit with the command's code")
    .argument('<id>', 'sandbox id')
    .argument('<cmd...>', 'the command (one word with spaces runs with sh -c)')
    .option('--timeout-ms <ms>', 'kill it after this long', wholeNumber('--timeout-ms'))
    .option('--cwd <dir>', 'its working directory (absolute)')
    .option('--env <KEY=VALUE>', 'add to its environment (repeatable)', envPair)
    .option('--user <user>', 'run it as this user: name, uid or uid:gid (needs the in-sandbox agent)')
    .option('--stdin', "pipe this command's standard input to it (needs the in-sandbox agent)")
    .option('--detach', 'start it in the background, print its pid and return (needs the in-sandbox agent)')
    .addHelpText(
      'after',
      '\nExamples:\n  sbx exec sbx-1a2b -- sh -c "echo hi; ls /tmp"\n  sbx exec sbx-1a2b --cwd /tmp --env A=1 -- env\n  echo data | sbx exec sbx-1a2b --stdin -- wc -c\n  sbx exec sbx-1a2b --detach -- sleep 600   # then: sbx ps, sbx attach, sbx kill',
    );
  return withRemoteFlags(command, io).action((id: string, cmd: string[], opts: ExecFlags) =>
    runRemote(io, opts, async (client) => {
      const box = client.sandboxes.get(id);
      const argv = cmd.length === 1 ? (cmd[0] as string) : cmd;
      const options = {
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.user ? { user: opts.user } : {}),
      };
      const print = {
        onStdout: (_t: string, bytes: Uint8Array) => io.stdout.write(bytes),
        onStderr: (_t: string, bytes: Uint8Array) => io.stderr.write(bytes),
      };
      if (opts.detach || opts.stdin) {
        const process = await box.startProcess(argv, options);
        if (opts.detach) {
          if (opts.stdin) await pipeStdin(io, process);
          io.stdout.write(opts.json ? `${JSON.stringify({ pid: process.pid })}\n` : `${process.pid}\n`);
          return;
        }
        const waited = process.wait(opts.json ? {} : print);
        await pipeStdin(io, process);
        const exit = await waited;
        if (opts.json) io.stdout.write(`${JSON.stringify(exit)}\n`);
        else if (exit.timedOut) io.stderr.write('sbx: the command timed out and was killed\n');
        io.setExitCode?.(exit.exitCode === -1 ? 124 : exit.exitCode);
        return;
      }
      const result = await box.exec(argv, { ...options, ...(opts.json ? {} : print) });
      if (opts.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.outcome === 'timeout') io.stderr.write('sbx: the command timed out and was killed\n');
      io.setExitCode?.(result.exitCode === -1 ? 124 : result.exitCode);
    }),
  );
}

/** The most bytes one stdin call carries (the host's body limit is 1 MiB). */
const STDIN_CALL_BYTES = 512 * 1024;

// The CLI's standard input to the process, in calls of at most STDIN_CALL_BYTES, then end of file.
async function pipeStdin(io: CliIo, process: ProcessHandle): Promise<void> {
  for await (const piece of io.stdin ?? []) {
    const bytes = typeof piece === 'string' ? new TextEncoder().encode(piece) : piece;
    for (let at = 0; at < bytes.length; at += STDIN_CALL_BYTES) {
      await process.sendStdin(bytes.subarray(at, at + STDIN_CALL_BYTES));
    }
  }
  await process.closeStdin();
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
