import { Command, InvalidArgumentError } from 'commander';
import type { CliIo } from '../cli-io.js';
import { wholeNumber } from '../flags.js';
import { type RemoteFlags, runRemote, withRemoteFlags } from './remote-context.js';

const SIGNALS = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
const pidArg = wholeNumber('PID', { max: 2 ** 31 - 1 });

/** `sbx ps ID`: the processes of a sandbox (through its in-sandbox agent). */
export function psCommand(io: CliIo): Command {
  const command = new Command('ps')
    .description(
      'list the processes of a sandbox: running ones, and ended background ones kept with their output',
    )
    .argument('<id>', 'sandbox id');
  return withRemoteFlags(command, io).action((id: string, opts: RemoteFlags) =>
    runRemote(io, opts, async (client) => {
      const processes = await client.sandboxes.get(id).processes();
      if (opts.json) {
        io.stdout.write(`${JSON.stringify({ processes })}\n`);
        return;
      }
      io.stdout.write('PID      STATE      KIND  STARTED   CMD\n');
      for (const p of processes) {
        const state = p.running ? 'running' : `exit ${p.exitCode ?? '?'}`;
        const kind = p.tty ? 'tty' : p.background ? 'bg' : 'fg';
        const started = new Date(p.startedAtMs).toISOString().slice(11, 19);
        const cmd = JSON.stringify(p.cmd).slice(0, 200);
        io.stdout.write(
          `${String(p.pid).padEnd(8)} ${state.padEnd(10)} ${kind.padEnd(5)} ${started}  ${cmd}\n`,
        );
      }
    }),
  );
}

/** `sbx attach ID PID`: follows a process's output (kept, then live) until it ends; exits with its code. */
export function attachCommand(io: CliIo): Command {
  const command = new Command('attach')
    .description("print a process's output (what was kept since it started, then live) until it ends")
    .argument('<id>', 'sandbox id')
    .argument('<pid>', 'the process id (sbx ps)', pidArg)
    .addHelpText('after', '\nCtrl-C stops following; the process goes on.');
  return withRemoteFlags(command, io).action((id: string, pid: number, opts: RemoteFlags) =>
    runRemote(io, opts, async (client) => {
      const exit = await client.sandboxes
        .get(id)
        .reconnect(pid)
        .wait(
          opts.json
            ? {}
            : {
                onStdout: (_t, bytes) => io.stdout.write(bytes),
                onStderr: (_t, bytes) => io.stderr.write(bytes),
              },
        );
      if (opts.json) io.stdout.write(`${JSON.stringify(exit)}\n`);
      else if (exit.truncated)
        io.stderr.write('sbx: the start of its output was dropped (1 MiB kept per stream)\n');
      io.setExitCode?.(exit.exitCode === -1 ? 124 : exit.exitCode);
    }),
  );
}

/** `sbx kill ID PID [--signal SIG]`: signals a process's group (default SIGKILL). */
export function killCommand(io: CliIo): Command {
  const command = new Command('kill')
    .description("send a signal to a process's group in a sandbox (default SIGKILL)")
    .argument('<id>', 'sandbox id')
    .argument('<pid>', 'the process id (sbx ps)', pidArg)
    .option('-s, --signal <signal>', `one of ${SIGNALS.join(', ')}`, signalFlag, 'SIGKILL');
  return withRemoteFlags(command, io).action(
    (id: string, pid: number, opts: RemoteFlags & { signal: (typeof SIGNALS)[number] }) =>
      runRemote(io, opts, async (client) => {
        await client.sandboxes.get(id).reconnect(pid).kill(opts.signal);
        if (opts.json) io.stdout.write(`${JSON.stringify({ pid, signal: opts.signal })}\n`);
      }),
  );
}

function signalFlag(text: string): (typeof SIGNALS)[number] {
  const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  const found = SIGNALS.find((s) => s === name);
  if (!found)
    throw new InvalidArgumentError(
      `--signal must be one of ${SIGNALS.join(', ')}, got ${JSON.stringify(text)}`,
    );
  return found;
}
