import { afterEach, describe, expect, it, vi } from 'vitest';
import { deferred } from './fake/fake-docker.js';
import { sandboxOnFake } from './testing/sandbox-on-fake.js';

async function pausable() {
  const on = await sandboxOnFake();
  const calls: string[] = [];
  Object.assign(on.container, {
    pause: vi.fn(async () => calls.push('pause')),
    unpause: vi.fn(async () => calls.push('unpause')),
  });
  return { ...on, calls };
}

describe('DockerSandbox.pause/resume', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a paused sandbox refuses new commands (an exec into a frozen container wedges it); resume lets them run', async () => {
    const { docker, sandbox, calls } = await pausable();
    docker.execHandler = () => ({ exitCode: 0, stdout: 'hi\n' });
    await sandbox.pause();
    await expect(sandbox.exec(['echo', 'hi'])).rejects.toMatchObject({
      code: 'EXEC_FAILED',
      message: expect.stringMatching(/is paused: resume it first/),
    });
    await sandbox.resume();
    await expect(sandbox.exec(['echo', 'hi'])).resolves.toMatchObject({ stdout: 'hi\n' });
    expect(calls).toEqual(['pause', 'unpause']);
  });

  it('pause waits out an exec that may still be starting (1.5 s from its start)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { docker, sandbox, calls } = await pausable();
    const gate = deferred();
    docker.execHandler = async () => {
      await gate.promise;
      return { exitCode: 0 };
    };
    const running = sandbox.exec(['sleep', '60']);
    const pausing = sandbox.pause();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(600);
    await pausing;
    expect(calls).toEqual(['pause']);
    await sandbox.resume();
    gate.resolve();
    await running;
  });

  it('without the engine call it says so, and a disposed sandbox cannot pause', async () => {
    const { sandbox } = await sandboxOnFake();
    await expect(sandbox.pause()).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
    // A failed pause leaves the sandbox running: commands still run.
    await expect(sandbox.exec(['true'])).resolves.toMatchObject({ exitCode: 0 });
    await sandbox.dispose();
    await expect(sandbox.pause()).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});
