import { WebContainerAdapter, WebContainerHandle } from '@sbx/bootstrap/webcontainer';
import { createFakeWebContainerApi, type FakeWebContainerOptions } from '@sbx/bootstrap/webcontainer/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebContainerInstance } from './webcontainer-api.js';

async function booted(fake: FakeWebContainerOptions = {}) {
  const api = createFakeWebContainerApi(fake);
  const adapter = new WebContainerAdapter({
    module: api,
    globals: { crossOriginIsolated: true, SharedArrayBuffer },
  });
  const pending = new SandboxProvisioner().provision({
    type: 'webcontainer',
    bootstrapFn: (ctx) => adapter.provision({}, ctx),
  });
  await vi.advanceTimersByTimeAsync(1_000);
  const handle = (await pending).value;
  return { api, handle };
}

describe('WebContainerHandle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a string through jsh -c and an array as is, collecting the terminal output', async () => {
    const { api, handle } = await booted({ execExitCode: 3 });
    const fromShell = handle.exec('echo hi');
    const fromArgv = handle.exec(['node', '-v']);
    await vi.advanceTimersByTimeAsync(10);
    expect(await fromShell).toEqual({ exitCode: 3, stdout: 'jsh -c echo hi\n', stderr: '' });
    expect(await fromArgv).toEqual({ exitCode: 3, stdout: 'node -v\n', stderr: '' });
    expect(api.stats.spawned).toEqual(['jsh -c echo hi', 'node -v']);
    expect(handle).toMatchObject({ type: 'webcontainer', id: expect.stringMatching(/^webcontainer-/) });
    await handle.dispose();
  });

  it('kills a command that outlives timeoutMs and fails with EXEC_TIMEOUT', async () => {
    const { handle } = await booted({ execDelayMs: 10_000 });
    const pending = handle.exec('sleep 10', { timeoutMs: 250 });
    const outcome = expect(pending).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
      message: 'jsh did not exit within 250 ms',
    });
    await vi.advanceTimersByTimeAsync(250);
    await outcome;
    await handle.dispose();
  });

  it('stops a command when its signal aborts', async () => {
    const { handle } = await booted({ execDelayMs: 10_000 });
    const controller = new AbortController();
    const pending = handle.exec(['sleep', '10'], { signal: controller.signal });
    const outcome = expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    controller.abort(new Error('stop'));
    await outcome;
    await handle.dispose();
  });

  it('wraps a spawn that fails as EXEC_FAILED, and an empty command as INVALID_SPEC', async () => {
    const spawn = vi.fn().mockRejectedValue(new Error('ENOENT: no such file'));
    const container = { spawn, teardown: vi.fn() } as unknown as WebContainerInstance;
    const onDispose = vi.fn();
    const handle = new WebContainerHandle({ id: 'wc-1', container, onDispose });
    await expect(handle.exec(['nope'])).rejects.toMatchObject({
      code: 'EXEC_FAILED',
      message: 'could not spawn nope: ENOENT: no such file',
    });
    await expect(handle.exec([])).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    await handle.dispose();
    expect(onDispose).toHaveBeenCalledOnce();
  });
});
