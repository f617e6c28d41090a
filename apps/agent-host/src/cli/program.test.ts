import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { buildProgram, oneLineError } from './program.js';

/** Runs `sbx ...args` in-process; never opens a host (`open` throws). */
async function sbx(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const io: CliIo = {
    stdout: { write: (t) => (stdout += String(t)) },
    stderr: { write: (t) => (stderr += String(t)) },
    env,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = buildProgram(io, () => Promise.reject(new Error('no host in this test')));
  await program.parseAsync(['node', 'sbx', ...args]).catch(() => {});
  return { stdout, stderr, exitCode };
}

// A stand-in host on loopback: 401 for every call, as `sbx serve` answers a wrong token, or a runtime list.
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer good') {
      res.statusCode = 401;
      res.end(
        JSON.stringify({
          error: {
            code: 'UNAUTHORIZED',
            message: 'send Authorization: Bearer TOKEN (see the token file sbx serve printed)',
          },
        }),
      );
      return;
    }
    res.end(
      JSON.stringify({
        type: 'docker',
        default: 'runc',
        allowNetwork: false,
        runtimes: [
          { name: 'runc', default: true, allowed: true, egress: true },
          { name: 'runsc', default: false, allowed: false, egress: false },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('the CLI says what was wrong in one line', () => {
  it.each([
    [['bench', 'docker', '--mode', 'fast'], /^sbx: --mode "fast": Allowed choices are sequential, /],
    [
      ['bench', 'tti', '--mode', 'fast'],
      /^sbx: --mode "fast": Allowed choices are sequential, staggered, burst, all/,
    ],
    [['bench', 'tti', '--count', '201'], /^sbx: --count must be a whole number from 1 to 200, got 201/],
    [['bench', 'tti', '--interval', '0'], /^sbx: --interval must be a whole number from 1 to 60000, got 0/],
    [
      ['bench', 'tti', '--template', 'node', '--image', 'x'],
      /^sbx: option '--template <name>' cannot be used with option '--image <image>'/,
    ],
    [['create', '--network', 'wide'], /^sbx: --network "wide": Allowed choices are none, egress/],
    [['provision', 'docker', '--image', 'x', '--count', '0'], /^sbx: --count must be a whole number/],
    [['provision', 'docker', '--image', 'x', '--env', 'BAD'], /^sbx: --env "BAD": expected KEY=VALUE/],
    [['serve', '--port', '99999'], /^sbx: --port must be a whole number from 0 to 65535, got 99999/],
    [['frob'], /^sbx: unknown command 'frob'/],
  ])('sbx %j', async (args, first) => {
    const { stderr } = await sbx(args);
    expect(stderr).toMatch(first);
    expect(stderr).toMatch(/^[^\n]* \(see sbx[\w ]* --help\)\n$/);
  });

  it('turns commander’s wording into ours, keeping a message that already names the flag', () => {
    expect(oneLineError("error: option '--count <n>' argument '0' is invalid. --count must be >= 1\n")).toBe(
      'sbx: --count must be >= 1',
    );
    expect(
      oneLineError("error: option '--mode <mode>' argument 'x' is invalid. Allowed choices are a, b.\n"),
    ).toBe('sbx: --mode "x": Allowed choices are a, b.');
    expect(oneLineError("error: unknown option '--nope'\n(Did you mean --no?)\n")).toBe(
      "sbx: unknown option '--nope' (Did you mean --no?)",
    );
  });
});

describe('the CLI talking to a host says what a CLI user should do', () => {
  it('a host that is not running: says to start it, not "fetch failed"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const { stderr, exitCode } = await sbx(['ls', '--url', url], { SBX_TOKEN: 'good' });
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      `sbx: no sbx host answers at ${url} (ECONNREFUSED): start one with \`sbx serve\` (or \`pnpm start\`), or point --url or SBX_URL at a running host (UNREACHABLE)\n`,
    );
  });

  it('a wrong token: names the token file, not HTTP headers', async () => {
    const { stderr, exitCode } = await sbx(['ls', '--url', base], { SBX_TOKEN: 'wrong' });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^sbx: the host at \S+ refused the token: use a line of the token file/);
    expect(stderr).not.toMatch(/Authorization|Bearer|header/i);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it('sbx runtimes lists GET /v1/runtimes, as sbx create --help says', async () => {
    expect((await sbx(['create', '--help'])).stdout).toContain('sbx runtimes lists them');
    const { stdout, exitCode } = await sbx(['runtimes', '--url', base], { SBX_TOKEN: 'good' });
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(
      /^RUNTIME\s+DEFAULT\s+ALLOWED\s+EGRESS\nrunc\s+yes\s+yes\s+yes\nrunsc\s+no\s+no\s+no\n/,
    );
    expect(stdout).toContain('network egress not allowed (sbx serve --allow-network)');
  });
});
