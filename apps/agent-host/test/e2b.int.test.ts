// The E2B door on the real engine, driven by the unmodified `e2b` SDK (2.51.0) with the three variables
// E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY: the SDK README example, commands, files, list/paging, timeout,
// pause/resume, kill, tenancy and the SDK's own error classes. Needs the `base` template built.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthenticationError,
  CommandExitError,
  NotFoundError,
  Sandbox,
  SandboxError,
  SandboxNotFoundError,
  TimeoutError,
} from 'e2b';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, startServe, tempDb } from './harness.js';

function missingBase(): string | undefined {
  const missing = missingPrerequisite();
  if (missing) return missing;
  try {
    execFileSync('docker', ['image', 'inspect', 'sbx-template/base:latest'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'template base is not built: run bash .ci/prereqs/templates.sh';
  }
}

const missing = missingBase();
const TOKEN_A = 'a'.repeat(43);
const TOKEN_B = 'b'.repeat(43);

describe.skipIf(missing !== undefined && !process.env.CI)('the E2B SDK against sbx serve', () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  const made: Sandbox[] = [];
  const create = async (opts: Parameters<typeof Sandbox.create>[1] = {}) => {
    const sandbox = await Sandbox.create('base', opts);
    made.push(sandbox);
    return sandbox;
  };

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    const dir = mkdtempSync(join(tmpdir(), 'sbx-e2b-'));
    writeFileSync(join(dir, 'tokens'), `alice:${TOKEN_A}\nbob:${TOKEN_B}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, 'pools.json'),
      JSON.stringify([{ name: 'warm', size: 1, spec: { type: 'docker', template: 'base' } }]),
    );
    server = await startServe(tempDb(), [
      '--token-file',
      join(dir, 'tokens'),
      '--pool-file',
      join(dir, 'pools.json'),
    ]);
    process.env.E2B_API_URL = `${server.base}/e2b/api`;
    process.env.E2B_SANDBOX_URL = `${server.base}/e2b/envd`;
    process.env.E2B_API_KEY = TOKEN_A;
    delete process.env.E2B_DEBUG;
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(made.map((s) => s.kill()));
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('the README example: create, run a command, read its output', async () => {
    const sandbox = await Sandbox.create();
    made.push(sandbox);
    const result = await sandbox.commands.run('echo "Hello from E2B!"');
    expect(result).toMatchObject({ exitCode: 0, stdout: 'Hello from E2B!\n' });
  });

  it('commands: envs, cwd, user, a non-zero exit, a timeout, background + connect(pid) + kill', async () => {
    const sandbox = await create({ envs: { FROM_CREATE: 'c' } });
    const run = await sandbox.commands.run('echo $FROM_CREATE $FOO; pwd; id -un', {
      envs: { FOO: 'bar' },
      cwd: '/tmp',
      user: 'user',
    });
    expect(run.stdout).toBe('c bar\n/tmp\nuser\n');
    await expect(sandbox.commands.run('echo oops >&2; exit 3')).rejects.toSatisfy(
      (e) => e instanceof CommandExitError && e.exitCode === 3 && e.stderr === 'oops\n',
    );
    await expect(sandbox.commands.run('sleep 5', { timeoutMs: 500 })).rejects.toBeInstanceOf(TimeoutError);

    const bg = await sandbox.commands.run('echo started; sleep 30', { background: true });
    expect((await sandbox.commands.list()).map((p) => p.pid)).toContain(bg.pid);
    const again = await sandbox.commands.connect(bg.pid);
    await expect.poll(() => again.stdout, { timeout: 15_000 }).toBe('started\n');
    expect(await sandbox.commands.kill(bg.pid)).toBe(true);
    await expect(again.wait()).rejects.toBeInstanceOf(CommandExitError);
    await expect(sandbox.commands.connect(999_999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('commands through the door are perf runs (sbx_sandbox_run_duration_seconds counts them)', async () => {
    const sandbox = await create();
    const runs = async () => {
      const text = await (
        await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN_A}` } })
      ).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('sbx_sandbox_run_duration_seconds_count'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    };
    const before = await runs();
    for (let i = 0; i < 3; i += 1) await sandbox.commands.run('true');
    await expect(sandbox.commands.run('exit 3')).rejects.toThrow();
    const deadline = Date.now() + 15_000;
    while ((await runs()) < before + 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await runs()).toBeGreaterThanOrEqual(before + 4);
  });

  it('a quiet command stream carries keepalive events at the Keepalive-Ping-Interval asked', async () => {
    const api = `${server.base}/e2b/api`;
    const created = await fetch(`${api}/v2/sandboxes`, {
      method: 'POST',
      headers: { 'x-api-key': TOKEN_A, 'content-type': 'application/json' },
      body: JSON.stringify({ templateID: 'base', timeout: 120 }),
    });
    const { sandboxID, envdAccessToken } = (await created.json()) as Record<string, string>;
    try {
      const json = new TextEncoder().encode(
        JSON.stringify({ process: { cmd: '/bin/bash', args: ['-c', 'sleep 2.5; echo done'] } }),
      );
      const body = new Uint8Array(5 + json.length);
      new DataView(body.buffer).setUint32(1, json.length);
      body.set(json, 5);
      const res = await fetch(`${server.base}/e2b/envd/process.Process/Start`, {
        method: 'POST',
        headers: {
          'content-type': 'application/connect+json',
          'connect-protocol-version': '1',
          'e2b-sandbox-id': sandboxID ?? '',
          'x-access-token': envdAccessToken ?? '',
          'keepalive-ping-interval': '1',
        },
        body,
      });
      const text = await res.text();
      expect(text.match(/"keepalive"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(text).toContain('"end"');
    } finally {
      await fetch(`${api}/sandboxes/${sandboxID}`, { method: 'DELETE', headers: { 'x-api-key': TOKEN_A } });
    }
  });

  it('commands: stdin (sendStdin, closeStdin) and a PTY with resize, through the in-sandbox agent', async () => {
    const sandbox = await create();
    const cat = await sandbox.commands.run('cat', { background: true, stdin: true });
    await sandbox.commands.sendStdin(cat.pid, 'in-put\n');
    await sandbox.commands.closeStdin(cat.pid);
    expect(await cat.wait()).toMatchObject({ exitCode: 0, stdout: 'in-put\n' });

    let screen = '';
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      onData: (data) => {
        screen += new TextDecoder().decode(data);
      },
    });
    await sandbox.pty.resize(pty.pid, { cols: 100, rows: 30 });
    await sandbox.pty.sendInput(pty.pid, new TextEncoder().encode('stty size; exit\n'));
    await pty.wait().catch(() => {});
    expect(screen).toContain('30 100');
  });

  it('files: write/read/list/exists/makeDir/rename/remove, multi-file write, watchDir', async () => {
    const sandbox = await create();
    const events: string[] = [];
    const watch = await sandbox.files.watchDir('/tmp', (e) => {
      events.push(`${e.type}:${e.name}`);
    });
    await sandbox.files.write('/tmp/a.txt', 'hello');
    expect(await sandbox.files.read('/tmp/a.txt')).toBe('hello');
    await sandbox.files.write([
      { path: '/tmp/m/one.txt', data: '1' },
      { path: '/tmp/m/two.txt', data: '22' },
    ]);
    expect((await sandbox.files.list('/tmp/m')).map((e) => [e.name, e.size])).toEqual([
      ['one.txt', 1],
      ['two.txt', 2],
    ]);
    expect(await sandbox.files.exists('/tmp/a.txt')).toBe(true);
    expect(await sandbox.files.exists('/tmp/none')).toBe(false);
    expect(await sandbox.files.makeDir('/tmp/d/e')).toBe(true);
    expect(await sandbox.files.makeDir('/tmp/d/e')).toBe(false);
    const moved = await sandbox.files.rename('/tmp/a.txt', '/tmp/d/b.txt');
    expect(moved.path).toBe('/tmp/d/b.txt');
    await sandbox.files.remove('/tmp/d');
    expect(await sandbox.files.exists('/tmp/d')).toBe(false);
    await expect(sandbox.files.read('/tmp/none')).rejects.toBeInstanceOf(NotFoundError);
    // Moving a.txt out of /tmp is `rename` to inotify (the agent) and `remove` to the polling fallback.
    await expect
      .poll(() => events.some((e) => e === 'rename:a.txt' || e === 'remove:a.txt'), { timeout: 5_000 })
      .toBe(true);
    expect(events).toEqual(expect.arrayContaining(['create:a.txt', 'create:m']));
    await watch.stop();
  });

  it('list: a metadata filter and pages (X-Next-Token); getInfo; setTimeout moves the end', async () => {
    const tag = `t${Date.now()}`;
    const [one, two] = [
      await create({ metadata: { tag, n: '1' } }),
      await create({ metadata: { tag, n: '2' } }),
    ];
    const pages = Sandbox.list({ query: { metadata: { tag } }, limit: 1 });
    const first = await pages.nextItems();
    expect(pages.hasNext).toBe(true);
    const second = await pages.nextItems();
    expect(pages.hasNext).toBe(false);
    expect([...first, ...second].map((s) => s.sandboxId)).toEqual([one.sandboxId, two.sandboxId]);
    const only = await Sandbox.list({ query: { metadata: { tag, n: '2' } } }).nextItems();
    expect(only.map((s) => [s.sandboxId, s.metadata])).toEqual([[two.sandboxId, { tag, n: '2' }]]);
    // Stored with the sandbox: its container's labels (the container is named after the sandbox).
    const labels = JSON.parse(
      execFileSync('docker', ['inspect', '--format', '{{json .Config.Labels}}', two.sandboxId], {
        encoding: 'utf8',
      }),
    );
    expect(labels).toMatchObject({ 'e2b.metadata.tag': tag, 'e2b.metadata.n': '2' });

    const before = (await one.getInfo()).endAt.getTime();
    await one.setTimeout(3_600_000);
    expect((await one.getInfo()).endAt.getTime()).toBeGreaterThan(before);
  });

  it('pause, then connect resumes it with its file and background process intact', async () => {
    const sandbox = await create();
    await sandbox.files.write('/tmp/kept.txt', 'still here');
    const bg = await sandbox.commands.run('sleep 60', { background: true });
    expect(await sandbox.pause()).toBe(true);
    expect(await sandbox.pause()).toBe(false); // 409: already paused
    expect(await sandbox.isRunning()).toBe(false);
    const resumed = await Sandbox.connect(sandbox.sandboxId);
    expect(await resumed.files.read('/tmp/kept.txt')).toBe('still here');
    expect((await resumed.commands.list()).map((p) => p.pid)).toContain(bg.pid);
    expect((await resumed.commands.run('echo back')).stdout).toBe('back\n');
  });

  it('autoPause (lifecycle onTimeout pause): paused at its timeout, kept, and connect resumes it', async () => {
    const sandbox = await create({ timeoutMs: 2_000, lifecycle: { onTimeout: 'pause' } });
    await sandbox.files.write('/tmp/kept.txt', 'auto');
    const deadline = Date.now() + 20_000;
    while ((await sandbox.getInfo()).state !== 'paused' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const info = await sandbox.getInfo();
    expect(info).toMatchObject({ state: 'paused', lifecycle: { onTimeout: 'pause' } });
    expect(await sandbox.isRunning()).toBe(false);
    const resumed = await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 60_000 });
    expect(await resumed.files.read('/tmp/kept.txt')).toBe('auto');
    expect((await resumed.getInfo()).state).toBe('running');
  });

  it("kill; another tenant's key cannot see or touch a sandbox; errors are the SDK's classes", async () => {
    const sandbox = await create();
    const asBob = { apiKey: TOKEN_B };
    expect((await Sandbox.list(asBob).nextItems()).map((s) => s.sandboxId)).not.toContain(sandbox.sandboxId);
    await expect(Sandbox.connect(sandbox.sandboxId, asBob)).rejects.toBeInstanceOf(NotFoundError);
    await expect(Sandbox.getInfo(sandbox.sandboxId, asBob)).rejects.toBeInstanceOf(NotFoundError);
    expect(await Sandbox.kill(sandbox.sandboxId, asBob)).toBe(false);
    expect(await sandbox.isRunning()).toBe(true);
    await expect(Sandbox.create('base', { apiKey: 'x'.repeat(43) })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    await expect(Sandbox.create('no-such-template')).rejects.toBeInstanceOf(SandboxError);

    expect(await sandbox.kill()).toBe(true);
    expect(await Sandbox.kill(sandbox.sandboxId)).toBe(false);
    // What the SDK says of a sandbox that is not running any more (502 -> Unavailable).
    await expect(sandbox.commands.run('echo gone')).rejects.toBeInstanceOf(SandboxNotFoundError);
  });

  // SBX_E2B_BENCH_CALLS=200 for the closing note (20 by default, to keep the suite short).
  it('numbers: echo hi p50/p95 (SDK, and the HTTP API beside it), create to first output cold and from a pool', {
    timeout: 600_000,
  }, async () => {
    const calls = Math.max(1, Math.min(1_000, Number(process.env.SBX_E2B_BENCH_CALLS) || 20));
    const sandbox = await create();
    const exec = (cmd: string[]) =>
      fetch(`${server.base}/v1/sandboxes/${sandbox.sandboxId}/exec`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN_A}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cmd }),
      }).then((r) => r.json() as Promise<{ stdout: string }>);
    const series: Record<'sdk' | 'apiLogin' | 'apiBare', number[]> = { sdk: [], apiLogin: [], apiBare: [] };
    const load = [loadavg()[0] ?? 0];
    for (let i = 0; i < calls; i += 1) {
      let t = performance.now();
      expect((await sandbox.commands.run('echo hi')).stdout).toBe('hi\n');
      series.sdk.push(performance.now() - t);
      t = performance.now();
      expect((await exec(['/bin/bash', '-l', '-c', 'echo hi'])).stdout).toBe('hi\n');
      series.apiLogin.push(performance.now() - t);
      t = performance.now();
      expect((await exec(['echo', 'hi'])).stdout).toBe('hi\n');
      series.apiBare.push(performance.now() - t);
    }
    load.push(loadavg()[0] ?? 0);
    const p = (times: number[], q: number) => {
      const sorted = [...times].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
    };
    const firstOutput = async (template: string) => {
      const t = performance.now();
      const s = await Sandbox.create(template);
      made.push(s);
      expect((await s.commands.run('echo hi')).stdout).toBe('hi\n');
      return (performance.now() - t).toFixed(0);
    };
    const cold = await firstOutput('base');
    const pooled = await firstOutput('warm');
    load.push(loadavg()[0] ?? 0);
    const line = (name: string, times: number[]) =>
      `${name} p50 ${p(times, 0.5)} ms p95 ${p(times, 0.95)} ms`;
    console.log(
      `e2b numbers (${calls} calls each, interleaved; load 1-min ${load.map((l) => l.toFixed(1)).join(' -> ')}): ` +
        `${line('SDK commands.run(echo hi)', series.sdk)}; ${line('POST exec bash -l -c', series.apiLogin)}; ` +
        `${line('POST exec echo', series.apiBare)}; create->first output cold ${cold} ms, pool ${pooled} ms`,
    );
    expect(series.sdk).toHaveLength(calls);
  });
});
