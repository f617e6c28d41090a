import type { ExecOptions, SandboxHandle } from '@sbx/bootstrap';
import { describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import { createApp } from './create-app.js';

async function setup(exec: SandboxHandle['exec']) {
  const sandbox: SandboxHandle = {
    id: 'box-1',
    type: 'docker',
    exec,
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  const { kpis, perf, host, config } = await createTestHost({
    policy: { maxExecOutputBytes: 4 },
    adapters: { docker: { type: 'docker', provision: async () => sandbox } },
    logger: { warn: vi.fn(), error: vi.fn() },
  });
  const app = createApp({ kpis, perf, host, config });
  await host.provision('docker', {}, { tenant: 'default' });
  const post = (body: unknown, accept?: string, signal?: AbortSignal) =>
    app.request('/v1/sandboxes/box-1/exec', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  return { host, post };
}

const lines = async (response: Response) =>
  (await response.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('POST /v1/sandboxes/:id/exec', () => {
  it('streams each output chunk as a line, then the exit line; passes stdin and the output cap down', async () => {
    let seen: ExecOptions | undefined;
    const { post } = await setup(async (_cmd, options = {}) => {
      seen = options;
      options.onOutput?.('stdout', Buffer.from('one\n'));
      options.onOutput?.('stderr', Buffer.from([0xff]));
      return { exitCode: 3, stdout: 'one\n', stderr: '\xff', stdoutTruncated: true };
    });
    const response = await post({ cmd: 'x', stdin: 'in' }, 'application/x-ndjson');
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(await lines(response)).toEqual([
      { stream: 'stdout', data: 'one\n' },
      { stream: 'stderr', data: '/w==', encoding: 'base64' },
      { exit: { exitCode: 3, durationMs: expect.any(Number), outcome: 'error', truncated: true } },
    ]);
    expect(seen).toMatchObject({ stdin: 'in', maxOutputBytes: 4 });
  });

  it('a failure after the stream began is the exit line with exitCode -1 and the error', async () => {
    const { post } = await setup(async () => {
      throw Object.assign(new Error('boom'), { code: 'SANDBOX_GONE' });
    });
    expect(await lines(await post({ cmd: 'x' }, 'application/x-ndjson'))).toEqual([
      {
        exit: {
          exitCode: -1,
          durationMs: expect.any(Number),
          outcome: 'error',
          truncated: false,
          error: { code: 'INTERNAL', message: 'boom' },
        },
      },
    ]);
  });

  it('runs several commands at once in one sandbox; without the Accept header the answer is buffered JSON', async () => {
    const releases: Array<() => void> = [];
    const { post, host } = await setup(
      () => new Promise((resolve) => releases.push(() => resolve({ exitCode: 0, stdout: 'ok', stderr: '' }))),
    );
    const pending = [post({ cmd: 'a' }), post({ cmd: 'b' }), post({ cmd: 'c' })];
    await vi.waitFor(() => expect(releases).toHaveLength(3));
    expect(host.perfMonitor.activeCount).toBe(3);
    for (const release of releases) release();
    for (const response of await Promise.all(pending)) {
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ exitCode: 0, stdout: 'ok', outcome: 'success' });
    }
  });

  it('a client that cancels the stream aborts its command', async () => {
    let aborted = false;
    const { post } = await setup(
      (_cmd, options = {}) =>
        new Promise((_, reject) => {
          options.onOutput?.('stdout', Buffer.from('started\n'));
          options.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(options.signal?.reason);
          });
        }),
    );
    const response = await post({ cmd: 'sleep 30' }, 'application/x-ndjson');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await vi.waitFor(() => expect(aborted).toBe(true));
  });
});
