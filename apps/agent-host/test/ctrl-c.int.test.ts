// Ctrl-C as a terminal sends it: SIGINT to the whole process group, under `pnpm start`, `pnpm sbx serve` and a bare
// `node .../cli.js serve`. pnpm forwards a signal of its own to the child; the host must take both as one request,
// run its orderly close once (the live sandbox removed) and end without pnpm's red ELIFECYCLE.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, missingPrerequisite, READY_CMD, TEST_IMAGE, until } from './harness.js';

const missing = missingPrerequisite();
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const created: string[] = [];
const groups: number[] = [];
const dirs: string[] = [];

function containersOf(sandboxId: string): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-aq', '--filter', `label=sbx.sandbox-id=${sandboxId}`, '--filter', 'label=sbx.managed-by=sbx'],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `command` in its own process group, as a shell starts a foreground job. */
function launch(command: string, args: string[]) {
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  groups.push(child.pid as number);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

const launchers: Array<[string, string, (args: string[]) => string[]]> = [
  ['pnpm start', 'pnpm', (args) => ['start', ...args]],
  ['pnpm sbx serve', 'pnpm', (args) => ['sbx', 'serve', ...args]],
  ['node .../cli.js serve', process.execPath, (args) => [CLI, 'serve', ...args]],
];

describe.skipIf(missing !== undefined && !process.env.CI)('Ctrl-C on a serving host', () => {
  afterAll(() => {
    for (const pgid of groups) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const id of created) {
      for (const container of containersOf(id))
        execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
    }
  });

  it.each(launchers)(
    'under %s: one orderly close, the live sandbox removed, no ELIFECYCLE',
    async (_name, command, argv) => {
      if (missing) throw new Error(missing);
      const dir = mkdtempSync(join(tmpdir(), 'sbx-ctrl-c-'));
      dirs.push(dir);
      const host = launch(command, argv(['--port', '0', '--db', join(dir, 'sbx.db')]));
      await until(() => /dashboard: \S+/.test(host.output()), 90_000, 'the server to listen');
      const base = /listening on (http:\S+)/.exec(host.output())?.[1] as string;
      const token = readFileSync(join(dir, 'token'), 'utf8').trim();
      const res = await fetch(`${base}/v1/sandboxes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'docker', image: TEST_IMAGE, cmd: READY_CMD, ready: 'log:^ready$' }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      created.push(id);
      expect(containersOf(id)).toHaveLength(1);

      // What the terminal does on Ctrl-C: SIGINT to every process of the foreground job's group.
      process.kill(-(host.child.pid as number), 'SIGINT');
      const { code, signal } = await host.exited;
      // pnpm exec dies of the SIGINT itself; the host in its group finishes its close: wait for the whole group.
      await until(() => !groupAlive(host.child.pid as number), 15_000, 'every process of the group to end');

      const output = host.output();
      expect(output.match(/stopping; removing live sandboxes/g)).toHaveLength(1);
      expect(output).not.toMatch(/again: exiting now|left behind|ELIFECYCLE|ERR_PNPM|Command failed/);
      expect(code === 0 || (command === 'pnpm' && signal === 'SIGINT')).toBe(true);
      if (command === process.execPath || argv([])[0] === 'start') expect(code).toBe(0);
      expect(containersOf(id)).toEqual([]);
    },
    150_000,
  );
});
