import type { ExecOptions, LogsOptions, SandboxHandle } from '@sbx/bootstrap';
import { describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { createApp } from './create-app.js';

type Exec = (cmd: unknown, options: ExecOptions) => ReturnType<SandboxHandle['exec']>;
type Logs = (options: LogsOptions) => Promise<{ truncated: boolean }>;

// An app over sandboxes box-1, box-2 (tenant `default`) whose commands and logs run `exec` and `logs`.
async function setup(policy: Partial<SandboxPolicy>, exec: Exec, logs?: Logs) {
  let n = 0;
  const { kpis, perf, host, config } = await createTestHost({
    policy,
    adapters: {
      docker: {
        type: 'docker',
        provision: async () => {
          n += 1;
          const sandbox: SandboxHandle & { logs?: Logs } = {
            id: `box-${n}`,
            type: 'docker',
            exec: (cmd, options = {}) => exec(cmd, options),
            dispose: async () => {},
            [Symbol.asyncDispose]: async () => {},
          };
          if (logs) sandbox.logs = logs;
          return sandbox;
        },
      },
    },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const app = createApp({ kpis, perf, host, config });
  await host.provision('docker', {}, { tenant: 'default' });
  await host.provision('docker', {}, { tenant: 'default' });
  const post = (id: string, accept?: string) =>
    app.request(`/v1/sandboxes/${id}/exec`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      body: JSON.stringify({ cmd: 'x' }),
    });
  const logsOf = (id: string, query: string) => app.request(`/v1/sandboxes/${id}/logs?${query}`);
  return { host, post, logsOf };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('commands at once', () => {
  it('refuses a command past the per-sandbox and per-tenant caps with 429, until an answer was read', async () => {
    const finish: Array<() => void> = [];
    const { post } = await setup(
      { maxExecsPerSandbox: 2, maxExecsPerTenant: 3 },
      () =>
        new Promise((resolve) =>
          finish.push(() => resolve({ exitCode: 0, stdout: 'x'.repeat(100_000), stderr: '' })),
        ),
    );
    const running = [post('box-1'), post('box-1', 'application/x-ndjson')];
    await turns(5);
    const perSandbox = await post('box-1');
    expect(perSandbox.status).toBe(429);
    expect(perSandbox.headers.get('retry-after')).toBe('1');
    expect(await perSandbox.json()).toEqual({
      error: {
        code: 'TOO_MANY_CONCURRENT',
        message:
          'at most 2 commands run at once in one sandbox (answers not yet read count): read or cancel one first',
      },
    });
    running.push(post('box-2'));
    await turns(5);
    const perTenant = await post('box-2');
    expect(perTenant.status).toBe(429);
    expect((await perTenant.json()).error.message).toMatch(/^at most 3 commands run at once per tenant/);
    // The commands end, but their answers are not read yet: they still count.
    for (const done of finish.splice(0)) done();
    const [first, second, third] = await Promise.all(running);
    if (!first || !second || !third) throw new Error('three answers expected');
    const answers = [first, second, third];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await post('box-1')).status).toBe(429);
    // Read one answer in full, cancel another: both places are free again.
    expect((await first.json()).stdout).toHaveLength(100_000);
    await second.body?.cancel();
    await turns(5);
    const again = [post('box-1'), post('box-1')];
    await turns(5);
    for (const done of finish.splice(0)) done();
    expect((await Promise.all(again)).map((a) => a.status)).toEqual([200, 200]);
  });

  it('a refused command runs nothing', async () => {
    const exec = vi.fn<Exec>(() => new Promise(() => {}));
    const { post } = await setup({ maxExecsPerSandbox: 1 }, exec);
    void post('box-1');
    await turns(5);
    expect((await post('box-1')).status).toBe(429);
    expect(exec).toHaveBeenCalledTimes(1);
  });
});

describe('a streamed answer nobody reads', () => {
  it('pauses the command: the output waiting for the client stays bounded, and flows again once read', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let produced = 0;
    const { post } = await setup({ maxExecOutputBytes: 64 * 1024 * 1024 }, async (_cmd, options) => {
      // A command printing 32 MiB, as fast as the host takes it.
      for (let i = 0; i < 512; i++) {
        await options.onOutput?.('stdout', chunk);
        produced += chunk.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    const response = await post('box-1', 'application/x-ndjson');
    await turns(200);
    // The queue's 256 KiB and a chunk or two in flight; without backpressure all 32 MiB would be held here.
    expect(produced).toBeLessThanOrEqual(1024 * 1024);
    const reader = response.body?.getReader();
    let read = 0;
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      read += next.value.length;
    }
    expect(produced).toBe(512 * chunk.length);
    expect(read).toBeGreaterThan(512 * chunk.length);
  });
});

describe('log follows at once', () => {
  it('refuses a follow past the per-tenant and host caps with 429; a closed one frees its place', async () => {
    const logs = vi.fn<Logs>(
      (options) =>
        new Promise((resolve) =>
          options.signal?.addEventListener('abort', () => resolve({ truncated: false })),
        ),
    );
    const { logsOf } = await setup(
      { maxFollowsPerTenant: 2, maxFollowsTotal: 3 },
      async () => ({ exitCode: 0, stdout: '', stderr: '' }),
      logs,
    );
    const open = [await logsOf('box-1', 'follow=1'), await logsOf('box-2', 'follow=1')];
    const refused = await logsOf('box-1', 'follow=1');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      error: {
        code: 'TOO_MANY_CONCURRENT',
        message: 'at most 2 log reads with follow=1 open at once per tenant: close one first',
      },
    });
    expect(logs).toHaveBeenCalledTimes(2);
    // A read without follow is not a follow.
    expect((await logsOf('box-1', 'tail=5')).status).toBe(200);
    await open[0]?.body?.cancel();
    await turns(5);
    expect((await logsOf('box-1', 'follow=1')).status).toBe(200);
  });
});
