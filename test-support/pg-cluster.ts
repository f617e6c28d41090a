// A throwaway PostgreSQL cluster a test may stop and start at will (the shared one on :5432 is never touched):
// initdb into a temp folder as the `postgres` user, a free loopback port, fsync off, its socket in the folder.
// synchronous_commit stays on: with it off, a commit the client was told of can vanish in an immediate stop
// (the WAL writer had not written it yet), which is PostgreSQL's loss, not the host's.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private PostgreSQL cluster: its URL, and stop/start/destroy that touch only it. */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth). */
  url: string;
  port: number;
  dir: string;
  /** Stops the server at once (`-m immediate`: connections are cut, as in a crash); waits until it is down. */
  stop(): void;
  /** Starts it again on the same port; waits until it accepts connections. */
  start(): void;
  /** Stops it if running and removes its folder. */
  destroy(): void;
}

/** The folder of PostgreSQL's server binaries (`initdb`, `pg_ctl`): the newest version installed. */
export function pgBinDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL server in /usr/lib/postgresql: install postgresql');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function asPostgres(bin: string, args: string[]): void {
  const uid = process.getuid?.();
  const [cmd, argv] = uid === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** Creates and starts a private cluster (about 1-2 s); `destroy()` it when done. */
export async function startPgCluster(prefix = 'sbx-pg-'): Promise<PgCluster> {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const ctl = (args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off`;
  let running = false;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start() {
      ctl(['-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    stop() {
      if (!running) return;
      ctl(['-m', 'immediate', '-w', '-t', '30', 'stop']);
      running = false;
    },
    destroy() {
      try {
        cluster.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}
