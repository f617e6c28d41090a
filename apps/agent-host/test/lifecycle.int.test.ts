import { execFileSync } from 'node:child_process';
import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DelayingEngineProxy } from './engine-proxy.js';
import {
  containersOwnedBy,
  missingPrerequisite,
  provisionArgs,
  READY_CMD,
  startCli,
  startServe,
  TEST_IMAGE,
  tempDb,
  until,
} from './harness.js';

const missing = missingPrerequisite();
// The user waits at most this long after the first signal.
const EXIT_WITHIN_MS = 2_000;

type Cli = ReturnType<typeof startCli>;

/** Sends `signal` and resolves to the exit code and how long the exit took after it. */
async function interrupt(
  cli: Cli,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; afterMs: number }> {
  const t0 = performance.now();
  cli.child.kill(signal);
  const code = await Promise.race([
    cli.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        const left = containersOwnedBy(cli.child.pid);
        cli.child.kill('SIGKILL');
        reject(
          new Error(
            `no exit 15 s after ${signal}; containers left: ${left.join(' ') || 'none'}; stderr: ${cli.out.stderr.slice(-600)}`,
          ),
        );
      }, 15_000),
    ),
  ]);
  return { code, afterMs: performance.now() - t0 };
}

describe.skipIf(missing !== undefined && !process.env.CI)('lifecycle: no hang, no leak', () => {
  // Holds back the engine's reply to attach/logs/exec-start for 300 ms: the window the CI hang came from.
  const proxy = new DelayingEngineProxy(300);
  let dockerHost: string;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    dockerHost = await proxy.listen();
  });
  afterAll(() => proxy.close());

  const batchArgs = (db: string, extra: string[] = []) =>
    provisionArgs(db, 40, ['--concurrency', '2', ...extra]);

  /** Starts a CLI through the proxy and resolves once one of its calls' replies is being held back. */
  async function startDuringSlowCall(args: string[], call: RegExp, nth = 1): Promise<Cli> {
    let seen = 0;
    let resolveSeen: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      resolveSeen = resolve;
    });
    const onDelay = (line: string) => {
      if (call.test(line) && ++seen === nth) resolveSeen();
    };
    proxy.on('delaying', onDelay);
    const cli = startCli(args, { DOCKER_HOST: dockerHost });
    try {
      await Promise.race([
        reached,
        cli.exited.then(() => Promise.reject(new Error(`CLI exited early: ${cli.out.stderr}`))),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`never reached ${call}`)), 30_000)),
      ]);
    } finally {
      proxy.off('delaying', onDelay);
    }
    return cli;
  }

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s while the engine is still answering an attach/logs call: exits 130 within 2 s, no container left, rows kept',
    async (signal) => {
      const db = tempDb();
      // The third such call: two provisionings are measured and recorded first.
      const cli = await startDuringSlowCall(batchArgs(db), /\/(attach|logs)\b/, 3);
      const { code, afterMs } = await interrupt(cli, signal);
      console.log(
        `[lifecycle] ${signal} during a held attach/logs reply: exit ${code} after ${afterMs.toFixed(0)} ms`,
      );
      expect(code).toBe(130);
      expect(afterMs).toBeLessThan(EXIT_WITHIN_MS);
      expect(cli.out.stderr).toContain(`${signal}: stopping`);
      expect(containersOwnedBy(cli.child.pid)).toEqual([]);
      const kdb = await openDatabase(db);
      expect(await new SandboxProvisioningKPI(kdb).count('docker')).toBeGreaterThanOrEqual(2);
      await kdb.destroy();
    },
  );

  it('Ctrl-C reaches a running job: `--exec "sleep 20"` exits within 2 s, no container left', async () => {
    const db = tempDb();
    // The job runs through the in-sandbox agent (no Docker exec call to wait for): wait for its process.
    const cli = startCli(batchArgs(db, ['--exec', 'sleep 20']), { DOCKER_HOST: dockerHost });
    await until(() => containersOwnedBy(cli.child.pid).some(runsSleep20), 30_000, 'the job to run');
    const { code, afterMs } = await interrupt(cli, 'SIGINT');
    console.log(`[lifecycle] SIGINT during a 20 s job: exit ${code} after ${afterMs.toFixed(0)} ms`);
    expect(code).toBe(130);
    expect(afterMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(containersOwnedBy(cli.child.pid)).toEqual([]);
  });

  it('a second signal exits at once with 130, and what was live is still removed', async () => {
    // Removals held back 4 s: the first signal's close is still removing when the second one comes.
    const slowRemovals = new DelayingEngineProxy(4_000, undefined, /^DELETE \S*\/containers\//);
    const slowHost = await slowRemovals.listen();
    const db = tempDb();
    const cli = startCli(batchArgs(db, ['--exec', 'sleep 20']), { DOCKER_HOST: slowHost });
    await until(() => containersOwnedBy(cli.child.pid).length > 0, 30_000, 'a sandbox');
    await new Promise((r) => setTimeout(r, 1_000));
    cli.child.kill('SIGINT');
    // A signal within 1 s of the first is the same request (a terminal's SIGINT and pnpm's forwarded one);
    // a later one is a second request: exit now.
    await new Promise((r) => setTimeout(r, 1_300));
    const { code, afterMs } = await interrupt(cli, 'SIGINT');
    expect(code).toBe(130);
    expect(afterMs).toBeLessThan(1_000);
    expect(cli.out.stderr).toMatch(/SIGINT again: exiting now; \d+ sandbox\(es\) may be left behind/);
    await until(() => containersOwnedBy(cli.child.pid).length === 0, 10_000, 'the abandoned sandboxes to go');
    await slowRemovals.close();
  });

  it('serve: SIGHUP with a provisioning in flight and a live sandbox exits within 2 s and leaks nothing', async () => {
    const db = tempDb();
    const server = await startServe(db, [], { DOCKER_HOST: dockerHost });
    const create = () =>
      server.api('POST', '/v1/sandboxes', {
        type: 'docker',
        image: TEST_IMAGE,
        cmd: READY_CMD,
        ready: 'log:^ready$',
      });
    expect((await create()).status).toBe(201);
    const held = new Promise<void>((resolve) => proxy.once('delaying', () => resolve()));
    const inFlight = create().then(
      (res) => res.status,
      () => 'no answer',
    );
    await held;
    const { code, afterMs } = await interrupt(server, 'SIGHUP');
    console.log(
      `[lifecycle] serve SIGHUP with one live and one in flight: exit ${code} after ${afterMs.toFixed(0)} ms`,
    );
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(EXIT_WITHIN_MS);
    expect([503, 'no answer']).toContain(await inFlight);
    expect(containersOwnedBy(server.child.pid)).toEqual([]);
  });

  it('an exec whose HTTP client disconnects is aborted and the sandbox is free again', async () => {
    const server = await startServe(tempDb());
    try {
      const created = await server.api('POST', '/v1/sandboxes', {
        type: 'docker',
        image: TEST_IMAGE,
        cmd: READY_CMD,
      });
      const { id } = await created.json();
      const client = new AbortController();
      const slow = fetch(`${server.base}/v1/sandboxes/${id}/exec`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cmd: 'sleep 20' }),
        signal: client.signal,
      }).catch(() => 'disconnected');
      await new Promise((r) => setTimeout(r, 500));
      client.abort();
      expect(await slow).toBe('disconnected');
      // The sandbox takes the next command at once, and the abandoned `sleep 20` is killed inside it.
      const count = `for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 20 $' || true`;
      // (The server learns of the disconnect a moment after the client: poll, within 3 s.)
      let seen = '';
      const t0 = performance.now();
      while (seen !== '200 0' && performance.now() - t0 < 3_000) {
        const next = await server.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: count });
        seen = `${next.status} ${next.status === 200 ? (await next.json()).stdout.trim() : ''}`;
        if (seen !== '200 0') await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe('200 0');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

// Whether the container runs `sleep 20` (false while it is not running yet).
function runsSleep20(id: string): boolean {
  try {
    return /sleep 20/.test(execFileSync('docker', ['top', id], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}
