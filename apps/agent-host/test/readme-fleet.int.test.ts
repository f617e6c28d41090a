// The README's "Run a fleet" recipe, run line by line against a FRESH PostgreSQL 15 cluster this test starts on a
// loopback port of its own (initdb/pg_ctl as the postgres user; the shared server on 5432 is never touched), with
// db.internal:5432 read as 127.0.0.1:PORT. `pnpm sbx` is the built CLI (`pnpm sbx` = build, then this file), each
// "machine" a working folder of its own, each host on a free port. Also: a password in the URL is never printed
// nor made a path, and a role that may not create tables hears it in PostgreSQL's terms.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, until } from './harness.js';

const README = new URL('../../../README.md', import.meta.url);

function pgBin(name: string): string | undefined {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const dir = versions
    .sort((a, b) => Number(b) - Number(a))
    .find((v) => existsSync(`/usr/lib/postgresql/${v}/bin/${name}`));
  return dir === undefined ? undefined : `/usr/lib/postgresql/${dir}/bin/${name}`;
}

/** Why this test cannot start its own cluster here, or undefined. */
function missingCluster(): string | undefined {
  if (!existsSync(CLI)) return `${CLI} is missing: run \`pnpm build\` first`;
  if (!pgBin('initdb') || !pgBin('pg_ctl'))
    return 'PostgreSQL server binaries (initdb, pg_ctl) are missing: run `bash .ci/prereqs/postgres.sh`';
  if (spawnSync('createdb', ['--version']).status !== 0)
    return 'createdb is missing: run `bash .ci/prereqs/postgres.sh`';
  const user = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  if (user !== 'root' && user !== 'postgres') return 'initdb must run as root (runuser) or as postgres';
  return undefined;
}
const missing = missingCluster();

/** Runs a PostgreSQL server binary as the postgres user (it refuses root). */
function asPostgres(bin: string, args: string[]) {
  const root = process.getuid?.() === 0;
  const result = spawnSync(root ? 'runuser' : bin, root ? ['-u', 'postgres', '--', bin, ...args] : args, {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The lines of the shell block after the `fleet-recipe` marker, comments dropped. */
function fleetRecipe(markdown: string): string[] {
  const block = /<!-- fleet-recipe[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('README.md has no fleet-recipe block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

function sh(line: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('sh', ['-c', line], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Starts a long-running CLI line in `cwd`; resolves once it listens. */
async function startHost(line: string, cwd: string) {
  const child: ChildProcess = spawn('sh', ['-c', `exec ${line} --port 0`], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  hosts.push({ child, exited });
  await until(
    () => /dashboard: \S+|error|sbx: /.test(output) || child.exitCode !== null,
    30_000,
    `${line} to listen`,
  );
  return { child, output: () => output, base: /listening on (http:\S+)/.exec(output)?.[1] };
}

const hosts: Array<{ child: ChildProcess; exited: Promise<unknown> }> = [];
const work = mkdtempSync(join(tmpdir(), 'sbx-fleet-recipe-'));
const data = join(work, 'pgdata');
let port = 0;

describe.skipIf(missing !== undefined && !process.env.CI)(
  'README: run a fleet, on a fresh PostgreSQL 15',
  () => {
    beforeAll(async () => {
      if (missing) throw new Error(missing);
      chmodSync(work, 0o755);
      port = await freePort();
      if (process.getuid?.() === 0) spawnSync('chown', ['postgres:', work]);
      // A fresh cluster as initdb makes it (PostgreSQL 15: `public` writable by its owner only), trust on loopback.
      asPostgres(pgBin('initdb') as string, [
        '-D',
        data,
        '-U',
        'postgres',
        '--auth=trust',
        '--no-locale',
        '-E',
        'UTF8',
      ]);
      asPostgres(pgBin('pg_ctl') as string, [
        '-D',
        data,
        '-l',
        join(data, 'log'),
        '-w',
        '-t',
        '60',
        'start',
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${data} -c fsync=off`,
      ]);
    }, 120_000);
    afterAll(async () => {
      for (const host of hosts) {
        host.child.kill('SIGINT');
        await host.exited;
      }
      if (existsSync(join(data, 'postmaster.pid')))
        asPostgres(pgBin('pg_ctl') as string, ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(work, { recursive: true, force: true });
    });

    it('runs as written: role and database, two hosts, the fleet report and /v1/kpis', async () => {
      const lines = fleetRecipe(readFileSync(README, 'utf8')).map((line) =>
        line
          .replaceAll('db.internal:5432', `127.0.0.1:${port}`)
          .replaceAll('-h db.internal', `-h 127.0.0.1 -p ${port}`)
          .replace(/^pnpm sbx /, `${process.execPath} ${CLI} `),
      );
      expect(lines.join('\n')).not.toContain('db.internal');
      const machines: Record<string, { dir: string; base?: string | undefined }> = {};
      for (const line of lines) {
        if (/ serve /.test(line)) {
          const id = /--host-id (\w+)/.exec(line)?.[1] as string;
          const dir = mkdtempSync(join(work, `machine-${id}-`));
          const host = await startHost(line, dir);
          expect(host.output()).toMatch(
            /^sbx listening on http:\S+ \(db postgres:\/\/sbx@127\.0\.0\.1:\d+\/sbx, host \w+\)\n/,
          );
          expect(host.output()).toContain('created the token file .sbx/token');
          machines[id] = { dir, base: host.base };
        } else if (line.startsWith('curl ')) {
          const a = machines.a as { dir: string; base: string };
          const token = readFileSync(join(a.dir, '.sbx', 'token'), 'utf8').trim();
          const run = sh(`${line.replace('http://127.0.0.1:7070', a.base)} -sS --fail`, a.dir, {
            TOKEN: token,
          });
          expect(run.stderr).toBe('');
          expect(JSON.parse(run.stdout)).toHaveProperty('types.docker.sla');
        } else {
          const run = sh(line, work);
          expect({ line, status: run.status, stderr: run.stderr }).toEqual({ line, status: 0, stderr: '' });
          if (/ report /.test(line)) expect(run.stdout).toContain('whole fleet');
        }
      }
      expect(Object.keys(machines)).toEqual(['a', 'b']);
    }, 180_000);

    it('never prints a password nor makes it a path: the token file is ./.sbx/token (or SBX_HOME)', async () => {
      const dir = mkdtempSync(join(work, 'secret-'));
      const url = `postgres://sbx:s3cret@127.0.0.1:${port}/sbx`;
      const host = await startHost(`${process.execPath} ${CLI} serve --db ${url} --host-id c`, dir);
      expect(host.output()).toContain('created the token file .sbx/token');
      expect(host.output()).not.toContain('s3cret');
      expect(readdirSync(dir)).toEqual(['.sbx']);
      const home = mkdtempSync(join(work, 'home-'));
      const other = spawnSync(process.execPath, [CLI, 'ls'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, SBX_DB: url, SBX_HOME: home, SBX_URL: host.base },
      });
      // `sbx ls` looks for the token in SBX_HOME, never in a folder named after the URL.
      expect(other.stderr).toBe(
        `sbx: cannot read the token file ${home}/token (ENOENT): start \`sbx serve\` (it creates one), or pass --token-file or SBX_TOKEN (INVALID_CONFIG)\n`,
      );
      const typo = spawnSync(
        process.execPath,
        [CLI, 'report', '--db', url.replace('postgres:', 'postgress:')],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
      expect(typo.status).toBe(2);
      expect(typo.stderr).toBe(
        'sbx: --db has the unknown scheme "postgress://": use postgres:// or postgresql:// (PostgreSQL), or a file path (SQLite)\n',
      );
      expect(readdirSync(dir)).toEqual(['.sbx']);
    }, 60_000);

    it('tells a role that may not create tables what to do, in PostgreSQL terms', () => {
      // The role exists (the recipe made it) or is made here when this test runs alone.
      sh(`createuser -h 127.0.0.1 -p ${port} -U postgres sbx`, work);
      expect(sh(`createdb -h 127.0.0.1 -p ${port} -U postgres notowned`, work).status).toBe(0);
      const run = spawnSync(
        process.execPath,
        [CLI, 'report', '--db', `postgres://sbx@127.0.0.1:${port}/notowned`],
        {
          cwd: work,
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /^sbx: Could not migrate the sbx PostgreSQL database(?: \(migration \w+\))?: permission denied for schema public - /,
      );
      expect(run.stderr).toContain('createdb -O ROLE');
      expect(run.stderr).not.toMatch(/file|SQLite/);
      expect(run.stderr.split('\n')).toHaveLength(2);
    });
  },
);
