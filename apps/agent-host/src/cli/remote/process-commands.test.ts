import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../http/start-server.js';
import { processApp, TOKEN_A } from '../../http/testing/process-app.js';
import type { CliIo } from '../cli-io.js';
import { buildProgram } from '../program.js';
import { type ShellTty, shellCommand } from './shell-command.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup() {
  const ctx = await processApp();
  server = await startServer(ctx.app, { host: '127.0.0.1', port: 0 });
  const url = server.url;
  // Runs `sbx ...args` in-process against the host, with `stdin` as its standard input.
  const sbx = async (args: string[], stdin: string[] = [], tty?: ShellTty) => {
    let stdout = '';
    let stderr = '';
    let exitCode = 0;
    const io: CliIo = {
      stdout: { write: (t) => (stdout += typeof t === 'string' ? t : new TextDecoder().decode(t)) },
      stderr: { write: (t) => (stderr += String(t)) },
      env: { SBX_TOKEN: TOKEN_A, SBX_URL: url },
      stdin: (async function* () {
        for (const piece of stdin) yield new TextEncoder().encode(piece);
      })(),
      setExitCode: (code) => {
        exitCode = code;
      },
    };
    const program = buildProgram(io, () => Promise.reject(new Error('no host in this test')));
    if (tty) {
      const index = program.commands.findIndex((c) => c.name() === 'shell');
      (program.commands as unknown[]).splice(index, 1);
      program.addCommand(shellCommand(io, tty));
    }
    await program.parseAsync(['node', 'sbx', ...args]).catch(() => {});
    return { stdout, stderr, exitCode };
  };
  return { ...ctx, sbx };
}

describe('sbx exec --detach, ps, attach, kill', () => {
  it('detaches (prints the pid), lists it, attaches and exits with its code after a kill', async () => {
    const { sbx, agents } = await setup();
    const started = await sbx([
      'exec',
      'box-1',
      '--detach',
      '--cwd',
      '/tmp',
      '--env',
      'A=1',
      '--',
      'sleep',
      '30',
    ]);
    const pid = Number(started.stdout.trim());
    expect(started.exitCode).toBe(0);
    expect(agents[0].processes.get(pid)?.options).toMatchObject({ cwd: '/tmp', env: { A: '1' } });
    const ps = await sbx(['ps', 'box-1']);
    expect(ps.stdout).toMatch(new RegExp(`^${pid}\\s+running\\s+bg\\s+.*\\["sleep","30"\\]$`, 'm'));
    agents[0].print(pid, 'hello\n');
    const attached = sbx(['attach', 'box-1', String(pid)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await sbx(['kill', 'box-1', String(pid), '--signal', 'term'])).exitCode).toBe(0);
    const attach = await attached;
    expect(attach.stdout).toBe('hello\n');
    expect(attach.exitCode).toBe(143);
    const again = await sbx(['kill', 'box-1', String(pid)]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^sbx: process \d+: not found .*\(PROCESS_NOT_FOUND\)\n$/);
  });

  it('--stdin pipes standard input to the command and exits with its code', async () => {
    const { sbx, agents } = await setup();
    const running = sbx(['exec', 'box-1', '--stdin', '--', 'wc', '-c'], ['abc', 'def']);
    for (let i = 0; i < 100 && !agents[0].processes.values().next().value?.stdinClosed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [process] = agents[0].processes.values();
    expect(process?.stdin.map((b) => new TextDecoder().decode(b)).join('')).toBe('abcdef');
    agents[0].print(process?.info.pid ?? 0, '6\n');
    agents[0].end(process?.info.pid ?? 0, { exitCode: 0 });
    expect(await running).toMatchObject({ stdout: '6\n', exitCode: 0 });
  });

  it.each([
    ['--env without =', ['exec', 'box-1', '--env', 'NOPE', '--', 'true'], /KEY=VALUE/],
    ['a pid that is not a number', ['attach', 'box-1', '12x'], /PID must be a whole number/],
    ['a signal the protocol lacks', ['kill', 'box-1', '1', '--signal', 'STOP'], /--signal must be one of/],
  ])('%s is one line naming the flag', async (_label, args, message) => {
    const { sbx, agents } = await setup();
    const result = await sbx(args);
    expect(result.stderr).toMatch(message);
    expect(agents[0].calls).toEqual({});
  });

  it('without the agent, --detach says so in one line', async () => {
    const { sbx } = await setup();
    const result = await sbx(['exec', 'box-2', '--detach', '--', 'true']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^sbx: sandbox box-2 runs without the in-sandbox agent: .*\(AGENT_UNAVAILABLE\)\n$/,
    );
  });
});

describe('sbx shell', () => {
  it('puts the terminal in raw mode, sends keys, resizes on SIGWINCH, restores it when the shell ends', async () => {
    const { sbx, agents } = await setup();
    const modes: boolean[] = [];
    let size = { cols: 100, rows: 40 };
    let onResize = () => {};
    const tty: ShellTty = {
      raw: (on) => modes.push(on),
      size: () => size,
      onResize: (fn) => {
        onResize = fn;
        return () => {};
      },
    };
    const running = sbx(['shell', 'box-1'], [], tty);
    for (let i = 0; i < 200 && agents[0].processes.size === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 200 && modes.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const [process] = agents[0].processes.values();
    expect(process?.options.tty).toEqual({ cols: 100, rows: 40 });
    size = { cols: 120, rows: 50 };
    onResize();
    for (let i = 0; i < 200 && (process?.resizes.length ?? 0) === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(process?.resizes).toEqual([{ cols: 120, rows: 50 }]);
    agents[0].print(process?.info.pid ?? 0, '$ ');
    agents[0].end(process?.info.pid ?? 0, { exitCode: 7 });
    const result = await running;
    expect(result).toMatchObject({ stdout: '$ ', exitCode: 7 });
    expect(modes).toEqual([true, false]);
  });
});
