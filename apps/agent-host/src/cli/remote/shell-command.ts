import type { WebSocketFactory } from '@sbx/client';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { type RemoteFlags, runRemote, withRemoteFlags } from './remote-context.js';

/** The local terminal `sbx shell` drives: raw mode, its size, and its resizes. */
export interface ShellTty {
  /** Raw mode on (keys go to the sandbox as typed) or off (restored). */
  raw(on: boolean): void;
  size(): { cols: number; rows: number };
  /** Calls `onResize` on every resize (SIGWINCH); returns how to stop. */
  onResize(onResize: () => void): () => void;
}

/** The process's own terminal, or undefined when stdin is not one (a pipe: no raw mode, no resizes). */
export function processTty(): ShellTty | undefined {
  const { stdin, stdout } = process;
  if (!stdin.isTTY) return undefined;
  // A SIGTERM or SIGHUP while raw must not leave the user's terminal raw.
  const restoreAndExit = (code: number) => () => {
    stdin.setRawMode(false);
    process.exit(code);
  };
  const onTerm = restoreAndExit(143);
  const onHup = restoreAndExit(129);
  return {
    raw: (on) => {
      stdin.setRawMode(on);
      if (on) {
        process.once('SIGTERM', onTerm);
        process.once('SIGHUP', onHup);
      } else {
        process.off('SIGTERM', onTerm);
        process.off('SIGHUP', onHup);
      }
    },
    size: () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 }),
    onResize: (onResize) => {
      stdout.on('resize', onResize);
      return () => stdout.off('resize', onResize);
    },
  };
}

// `ws` is loaded by `sbx shell` only: every other command starts without it.
async function wsFactory(): Promise<WebSocketFactory> {
  const { default: WebSocket } = await import('ws');
  return (url, headers) => new WebSocket(url, { headers }) as never;
}

/**
 * `sbx shell ID`: an interactive terminal in a sandbox (a PTY through its in-sandbox agent): the local terminal
 * in raw mode, resized with the window, restored when the shell ends (its exit code is the CLI's).
 */
export function shellCommand(io: CliIo, tty: ShellTty | undefined = processTty()): Command {
  const command = new Command('shell')
    .description('open an interactive shell in a sandbox (a terminal through its in-sandbox agent)')
    .argument('<id>', 'sandbox id')
    .option('--cmd <cmd>', 'run this with sh -c instead of sh')
    .option('--cwd <dir>', 'its working directory (absolute)')
    .option('--user <user>', 'run it as this user: name, uid or uid:gid')
    .addHelpText('after', '\nExit the shell (exit, Ctrl-D) to return; Ctrl-C goes to the shell.');
  return withRemoteFlags(command, io).action(
    (id: string, opts: RemoteFlags & { cmd?: string; cwd?: string; user?: string }) =>
      runRemote(io, opts, async (client) => {
        const terminal = await client.sandboxes.get(id).terminal({
          ...(tty?.size() ?? {}),
          ...(opts.cmd ? { cmd: opts.cmd } : {}),
          ...(opts.cwd ? { cwd: opts.cwd } : {}),
          ...(opts.user ? { user: opts.user } : {}),
          webSocket: await wsFactory(),
          onData: (bytes) => io.stdout.write(bytes),
        });
        tty?.raw(true);
        const stopResize = tty?.onResize(() => {
          const { cols, rows } = tty.size();
          terminal.resize(cols, rows);
        });
        const input = (io.stdin ?? noInput())[Symbol.asyncIterator]();
        try {
          const ended = terminal.exited.then(() => undefined);
          for (;;) {
            const next = await Promise.race([input.next(), ended]);
            if (next === undefined || next.done) break;
            terminal.write(next.value);
          }
          if (!tty) terminal.write(new Uint8Array([4])); // a pipe ended: ^D, as a user would type
          const exit = await terminal.exited;
          io.setExitCode?.(exit.exitCode === -1 ? 1 : exit.exitCode);
        } finally {
          stopResize?.();
          tty?.raw(false);
          void input.return?.();
        }
      }),
  );
}

async function* noInput(): AsyncGenerator<Uint8Array> {}
