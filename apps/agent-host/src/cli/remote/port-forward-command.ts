import { createServer, type Server } from 'node:net';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { wholeNumber } from '../flags.js';
import { type RemoteFlags, remoteCredentials, runRemote, withRemoteFlags } from './remote-context.js';
import { openHostTunnel } from './tunnel-client.js';

/** Options of `portForwardCommand` (tests stop it with `signal`; the CLI with Ctrl-C). */
export interface PortForwardOptions {
  signal?: AbortSignal;
  /** Called once the local listener is up, with its port. */
  onListening?: (port: number) => void;
}

/**
 * `sbx port-forward ID PORT [--local N]`: listens on 127.0.0.1:N (default PORT; 0 picks one) and tunnels each
 * connection through the host to 127.0.0.1:PORT inside the sandbox (its network stays `none`), until Ctrl-C.
 */
export function portForwardCommand(io: CliIo, options: PortForwardOptions = {}): Command {
  const command = new Command('port-forward')
    .description('forward a local loopback port to a port inside a sandbox, through the host (Ctrl-C stops)')
    .argument('<id>', 'sandbox id')
    .argument('<port>', 'the port inside the sandbox', wholeNumber('PORT', { max: 65_535 }))
    .option(
      '--local <port>',
      'the local port (default: the same; 0 picks a free one)',
      wholeNumber('--local', { min: 0, max: 65_535 }),
    )
    .addHelpText(
      'after',
      '\nExample:\n  sbx port-forward sbx-1a2b 3000 --local 8080   # then open http://127.0.0.1:8080',
    );
  return withRemoteFlags(command, io).action(
    (id: string, port: number, opts: RemoteFlags & { local?: number }) =>
      runRemote(io, opts, async () => {
        const host = remoteCredentials(opts, io);
        const server = await listen(opts.local ?? port, (socket) => {
          socket.on('error', () => socket.destroy());
          openHostTunnel(host, id, port).then(
            (tunnel) => {
              tunnel.on('error', () => socket.destroy());
              socket.on('close', () => tunnel.destroy());
              tunnel.on('close', () => socket.destroy());
              socket.pipe(tunnel);
              tunnel.pipe(socket);
            },
            (error: Error) => {
              io.stderr.write(`sbx: port-forward: ${error.message}\n`);
              socket.destroy();
            },
          );
        });
        const local = (server.address() as { port: number }).port;
        io.stdout.write(`forwarding 127.0.0.1:${local} -> sandbox ${id} port ${port} (Ctrl-C stops)\n`);
        options.onListening?.(local);
        await untilStopped(options.signal);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }),
  );
}

function listen(port: number, onConnection: Parameters<typeof createServer>[1]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection as never);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        Object.assign(
          new Error(
            error.code === 'EADDRINUSE'
              ? `127.0.0.1:${port} is in use: pick another with --local`
              : `cannot listen on 127.0.0.1:${port}: ${error.message}`,
          ),
          { code: 'INVALID_FLAG' },
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    if (signal) {
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      return;
    }
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
