import { afterEach, describe, expect, it, vi } from 'vitest';
import { processApp, TOKEN_A, TOKEN_B } from './testing/process-app.js';

const lines = async (response: Response) =>
  (await response.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('exec with cwd, env, user, background', () => {
  it('starts a background process (202 {pid}) through the agent, within the command time cap, with stdin open', async () => {
    const { call, agents, perf } = await processApp({ maxExecTimeoutMs: 60_000 });
    const res = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
      cmd: 'sleep 30',
      background: true,
      cwd: '/tmp',
      env: { A: '1' },
    });
    expect(res.status).toBe(202);
    const { pid } = await res.json();
    const started = agents[0].processes.get(pid);
    expect(started?.info.cmd).toEqual(['sh', '-c', 'sleep 30']);
    expect(started?.options).toMatchObject({ background: true, cwd: '/tmp', env: { A: '1' }, stdin: true });
    expect(started?.options.timeoutMs).toBe(60_000);
    // The host keeps no connection to it, and the start was measured as a run.
    expect(started?.open).toBe(0);
    expect(started?.info.running).toBe(true);
    expect((await perf.listRecent(10)).length).toBe(1);
  });

  it('writes a background process its stdin string, then closes it', async () => {
    const { call, agents } = await processApp();
    const res = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
      cmd: ['cat'],
      background: true,
      stdin: 'hello',
    });
    const { pid } = await res.json();
    const process = agents[0].processes.get(pid);
    expect(new TextDecoder().decode(process?.stdin[0])).toBe('hello');
    expect(process?.stdinClosed).toBe(true);
  });

  it('runs as a user through the agent; a user the agent may not switch to is a 403', async () => {
    const { call, engineExec } = await processApp();
    const ok = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'id', user: '1000:1000' });
    expect(ok.status).toBe(200);
    expect((await ok.json()).stdout).toBe('ran as 1000:1000');
    const denied = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
      cmd: 'id',
      user: 'nobody-allowed',
    });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.code).toBe('AGENT_PERMISSION_DENIED');
    expect(engineExec).not.toHaveBeenCalled();
  });

  it('without the agent: cwd and env go to the engine exec; user and background are 409 AGENT_UNAVAILABLE', async () => {
    const { call, engineExec } = await processApp();
    const ok = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-2/exec', {
      cmd: 'pwd',
      cwd: '/tmp',
      env: { K: 'V' },
    });
    expect(ok.status).toBe(200);
    expect(engineExec.mock.calls[0]?.[1]).toMatchObject({ workingDir: '/tmp', env: { K: 'V' } });
    for (const extra of [{ user: 'root' }, { background: true }]) {
      const res = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-2/exec', { cmd: 'id', ...extra });
      expect(res.status).toBe(409);
      const { error } = await res.json();
      expect(error.code).toBe('AGENT_UNAVAILABLE');
      expect(error.message).toMatch(/sandbox box-2 runs without the in-sandbox agent/);
    }
    expect(engineExec).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a relative cwd', { cwd: 'tmp' }, 'cwd'],
    ['a cwd with NUL', { cwd: '/a\0b' }, 'cwd'],
    ['an env name with =', { env: { 'A=B': 'x' } }, 'env'],
    ['an env value with NUL', { env: { A: 'x\0y' } }, 'env'],
    [
      '1025 env variables',
      { env: Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`K${i}`, ''])) },
      'env',
    ],
    ['a user with shell text', { user: 'root; rm -rf /' }, 'user'],
    ['an empty user', { user: '' }, 'user'],
    ['a background that is not a boolean', { background: 'yes' }, 'background'],
  ])('refuses %s with a 400 naming the field, before any agent call', async (_label, extra, field) => {
    const { call, agents } = await processApp();
    const res = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'true', ...extra });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(new RegExp(`^${field}`));
    expect(agents[0].calls).toEqual({});
  });

  it('a background start holds a command slot while it starts: over the cap is a 429', async () => {
    const { call, agents } = await processApp({ maxExecsPerSandbox: 1 });
    let unblock = () => {};
    const start = agents[0].start.bind(agents[0]);
    agents[0].start = async (cmd, options) => {
      await new Promise<void>((resolve) => {
        unblock = resolve;
      });
      return start(cmd, options);
    };
    const first = call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'sleep 1', background: true });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'true', background: true });
    expect(second.status).toBe(429);
    unblock();
    expect((await first).status).toBe(202);
    agents[0].start = start;
    const third = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'true', background: true });
    expect(third.status).toBe(202);
  });
});

describe('processes: list, output, signal, stdin', () => {
  it('lists, re-attaches (kept output first, then live, then exit), signals a background process', async () => {
    const { call, agents } = await processApp();
    const { pid } = await (
      await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'sleep 30', background: true })
    ).json();
    const listed = await (await call(TOKEN_A, 'GET', '/v1/sandboxes/box-1/processes')).json();
    expect(listed.processes).toEqual([expect.objectContaining({ pid, running: true, background: true })]);
    agents[0].print(pid, 'kept\n');
    agents[0].print(pid, 'err\n', 'stderr');
    const output = await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`);
    expect(output.headers.get('content-type')).toBe('application/x-ndjson');
    agents[0].print(pid, 'live\n');
    const signalled = await call(TOKEN_A, 'POST', `/v1/sandboxes/box-1/processes/${pid}/signal`, {
      signal: 'SIGKILL',
    });
    expect(signalled.status).toBe(200);
    expect(await lines(output)).toEqual([
      { stream: 'stdout', data: 'kept\n' },
      { stream: 'stderr', data: 'err\n' },
      { stream: 'stdout', data: 'live\n' },
      { exit: { exitCode: 137, signal: 'SIGKILL', truncated: false } },
    ]);
    // Ended, still listed; the attach was closed.
    const after = await (await call(TOKEN_A, 'GET', '/v1/sandboxes/box-1/processes')).json();
    expect(after.processes[0]).toMatchObject({ pid, running: false, exitCode: 137 });
    expect(agents[0].processes.get(pid)?.open).toBe(0);
  });

  it('writes raw stdin bytes (any content type) and closes it with ?eof=true', async () => {
    const { call, agents } = await processApp();
    const { pid } = await (
      await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'cat', background: true })
    ).json();
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const res = await call(TOKEN_A, 'POST', `/v1/sandboxes/box-1/processes/${pid}/stdin?eof=true`, bytes, {
      'content-type': 'application/octet-stream',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pid, bytes: 4, eof: true });
    expect([...(agents[0].processes.get(pid)?.stdin[0] ?? [])]).toEqual([0, 1, 2, 255]);
    expect(agents[0].processes.get(pid)?.stdinClosed).toBe(true);
  });

  it('stdin to a process started without it is a 400; to an ended one a 404', async () => {
    const { call, agents } = await processApp();
    const noStdin = await agents[0].start(['sleep', '30'], { background: true });
    noStdin.close();
    const res = await call(
      TOKEN_A,
      'POST',
      `/v1/sandboxes/box-1/processes/${noStdin.pid}/stdin`,
      new Uint8Array(1),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/^process \d+: refused by the agent/);
    const { pid } = await (
      await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'cat', background: true })
    ).json();
    agents[0].end(pid, { exitCode: 0 });
    const ended = await call(
      TOKEN_A,
      'POST',
      `/v1/sandboxes/box-1/processes/${pid}/stdin`,
      new Uint8Array(1),
    );
    expect(ended.status).toBe(404);
  });

  it('refuses a stdin body over 1 MiB (413) before the agent sees it', async () => {
    const { call, agents } = await processApp();
    const res = await call(
      TOKEN_A,
      'POST',
      '/v1/sandboxes/box-1/processes/100/stdin',
      new Uint8Array(1024 * 1024 + 1),
      {
        'content-type': 'application/octet-stream',
      },
    );
    expect(res.status).toBe(413);
    expect(agents[0].calls.stdin).toBeUndefined();
  });

  it.each(['0', '-1', 'abc', '1.5', '2147483648', '99999999999', '0x10'])(
    'a pid %s is a 400 on every process route',
    async (pid) => {
      const { call, agents } = await processApp();
      for (const [method, path, body] of [
        ['GET', `/v1/sandboxes/box-1/processes/${pid}/output`],
        ['POST', `/v1/sandboxes/box-1/processes/${pid}/signal`, { signal: 'SIGTERM' }],
        ['POST', `/v1/sandboxes/box-1/processes/${pid}/stdin`, new Uint8Array(1)],
      ] as const) {
        const res = await call(TOKEN_A, method, path, body);
        expect(res.status, `${method} ${path}`).toBe(400);
      }
      expect(agents[0].calls).toEqual({});
    },
  );

  it('an unknown or ended pid is 404 PROCESS_NOT_FOUND; a signal the protocol lacks is a 400', async () => {
    const { call } = await processApp();
    for (const [method, path, body] of [
      ['GET', '/v1/sandboxes/box-1/processes/4242/output'],
      ['POST', '/v1/sandboxes/box-1/processes/4242/signal', { signal: 'SIGTERM' }],
      ['POST', '/v1/sandboxes/box-1/processes/4242/stdin', new Uint8Array(1)],
    ] as const) {
      const res = await call(TOKEN_A, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await res.json()).error.code).toBe('PROCESS_NOT_FOUND');
    }
    const bad = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/processes/4242/signal', {
      signal: 'SIGSTOP',
    });
    expect(bad.status).toBe(400);
  });

  it("another tenant's sandbox is a 404 with no detail on every route, and its agent is never asked", async () => {
    const { call, agents } = await processApp();
    const { pid } = await (
      await call(TOKEN_B, 'POST', '/v1/sandboxes/box-3/exec', { cmd: 'sleep 30', background: true })
    ).json();
    const before = { ...agents[1].calls };
    for (const [method, path, body] of [
      ['GET', '/v1/sandboxes/box-3/processes'],
      ['GET', `/v1/sandboxes/box-3/processes/${pid}/output`],
      ['POST', `/v1/sandboxes/box-3/processes/${pid}/signal`, { signal: 'SIGKILL' }],
      ['POST', `/v1/sandboxes/box-3/processes/${pid}/stdin`, new Uint8Array(1)],
      ['POST', '/v1/sandboxes/box-3/exec', { cmd: 'true', background: true }],
    ] as const) {
      const res = await call(TOKEN_A, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no live sandbox box-3' } });
    }
    expect(agents[1].calls).toEqual(before);
    expect(agents[1].processes.get(pid)?.info.running).toBe(true);
  });

  it('a sandbox without the agent answers 409 AGENT_UNAVAILABLE on the process routes', async () => {
    const { call } = await processApp();
    for (const [method, path, body] of [
      ['GET', '/v1/sandboxes/box-2/processes'],
      ['GET', '/v1/sandboxes/box-2/processes/1/output'],
      ['POST', '/v1/sandboxes/box-2/processes/1/signal', { signal: 'SIGKILL' }],
      ['POST', '/v1/sandboxes/box-2/processes/1/stdin', new Uint8Array(1)],
    ] as const) {
      const res = await call(TOKEN_A, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect((await res.json()).error.code).toBe('AGENT_UNAVAILABLE');
    }
  });

  it('GET /v1/sandboxes says which sandboxes have the agent', async () => {
    const { call } = await processApp();
    const { sandboxes } = await (await call(TOKEN_A, 'GET', '/v1/sandboxes')).json();
    expect(sandboxes.map((s: { id: string; agent: boolean }) => [s.id, s.agent])).toEqual([
      ['box-1', true],
      ['box-2', false],
    ]);
    expect((await (await call(TOKEN_A, 'GET', '/v1/sandboxes/box-2')).json()).agent).toBe(false);
  });
});

describe("background processes under the host's command time", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };

  it('a background process still running at maxExecTimeoutMs is killed; a shorter timeoutMs is kept', async () => {
    const { call, agents } = await processApp({ maxExecTimeoutMs: 60_000 });
    vi.useFakeTimers();
    const start = async (extra = {}) =>
      (
        await (
          await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
            cmd: 'sleep 600',
            background: true,
            ...extra,
          })
        ).json()
      ).pid as number;
    const long = await start();
    const short = await start({ timeoutMs: 1_000 });
    expect(agents[0].processes.get(long)?.options).toMatchObject({ timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(agents[0].processes.get(short)?.exit).toEqual({ exitCode: 137, signal: 'SIGKILL' });
    expect(agents[0].processes.get(long)?.info.running).toBe(true);
    await vi.advanceTimersByTimeAsync(59_000);
    await settle();
    expect(agents[0].processes.get(long)?.exit).toEqual({ exitCode: 137, signal: 'SIGKILL' });
  });
});

describe('process output is bounded', () => {
  it('output follows count against the follow caps (429 over), released when the stream ends', async () => {
    const { call, agents } = await processApp({ maxFollowsPerTenant: 1 });
    const { pid } = await (
      await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'sleep 30', background: true })
    ).json();
    const first = await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`);
    const second = await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    agents[0].end(pid, { exitCode: 0 });
    await first.text();
    const third = await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`);
    expect(third.status).toBe(200);
    expect((await lines(third)).at(-1)).toEqual({ exit: { exitCode: 0, truncated: false } });
  });

  it('an unread output stream stops pulling from the agent (backpressure), and a cancel closes the attach', async () => {
    const { call, agents } = await processApp();
    const { pid } = await (
      await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: 'yes', background: true })
    ).json();
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 16; i++) agents[0].print(pid, chunk); // 1 MiB kept
    let pulled = 0;
    const attach = agents[0].attach.bind(agents[0]);
    agents[0].attach = async (p) => {
      const process = await attach(p);
      const output = process.output();
      return {
        ...process,
        output: async function* () {
          for await (const piece of output) {
            pulled += 1;
            yield piece;
          }
        },
      };
    };
    const res = await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`);
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    // The 256 KiB queue holds about 4 chunks, a few more in flight: far from the 16 kept.
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(10);
    await res.body?.cancel();
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(agents[0].processes.get(pid)?.open).toBe(0);
    expect(agents[0].processes.get(pid)?.info.running).toBe(true);
  });
});
