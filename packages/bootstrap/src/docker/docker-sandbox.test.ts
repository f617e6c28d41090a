import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXEC_MARKER_ENV } from './docker-sandbox.js';
import { deferred, httpError } from './fake/fake-docker.js';
import { failureOf } from './testing/failure-of.js';
import { sandboxOnFake } from './testing/sandbox-on-fake.js';

describe('DockerSandbox.exec', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves to the exit code and the demultiplexed stdout and stderr; non-zero is a result', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    docker.execHandler = () => ({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    await expect(sandbox.exec(['ls', '/nope'])).resolves.toEqual({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
  });

  it('hands each piece of output to onOutput as it arrives, within maxOutputBytes, and feeds stdin', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    const gate = deferred();
    docker.execHandler = async (_cmd, _container, options, io) => {
      expect(options.AttachStdin).toBe(true);
      io.print(1, 'first ');
      await gate.promise;
      io.print(2, 'warn');
      return { exitCode: 0, stdout: `read ${(await io.stdin).toString()}` };
    };
    const seen: string[] = [];
    const running = sandbox.exec('cat', {
      stdin: 'hello',
      maxOutputBytes: 12,
      onOutput: (stream, chunk) => {
        seen.push(`${stream}:${Buffer.from(chunk).toString()}`);
        if (seen.length === 1) gate.resolve();
      },
    });
    await expect(running).resolves.toMatchObject({
      stdout: 'first read h',
      stderr: 'warn',
      stdoutTruncated: true,
    });
    expect(seen).toEqual(['stdout:first ', 'stderr:warn', 'stdout:read h']);
  });

  it('without stdin the command gets none attached', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    await sandbox.exec('true');
    expect(docker.containers[0]?.execs[0]?.AttachStdin).toBe(false);
  });

  it('keeps at most maxOutputBytes of each stream and says so', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    docker.execHandler = () => ({ exitCode: 0, stdout: 'x'.repeat(100), stderr: 'short' });
    await expect(sandbox.exec('yes', { maxOutputBytes: 10 })).resolves.toEqual({
      exitCode: 0,
      stdout: 'x'.repeat(10),
      stderr: 'short',
      stdoutTruncated: true,
      stderrTruncated: false,
    });
  });

  it('runs a string with sh -c and passes env and working dir, plus a marker to find the command by', async () => {
    const { container, sandbox } = await sandboxOnFake();
    await sandbox.exec('echo $A', { env: { A: '1' }, workingDir: '/tmp' });
    const options = container.execs[0];
    expect(options?.Cmd).toEqual(['sh', '-c', 'echo $A']);
    expect(options?.WorkingDir).toBe('/tmp');
    expect(options?.Env?.[0]).toBe('A=1');
    expect(options?.Env?.[1]).toMatch(new RegExp(`^${EXEC_MARKER_ENV}=[0-9a-f-]{36}$`));
  });

  it('rejects with EXEC_TIMEOUT after timeoutMs and kills the command by its marker', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { docker, container, sandbox } = await sandboxOnFake();
    const hang = deferred<{ exitCode: number }>();
    docker.execHandler = (cmd) => (cmd[0] === 'sleep' ? hang.promise : { exitCode: 0 });
    const failure = failureOf(sandbox.exec(['sleep', '100'], { timeoutMs: 2_000 }));
    await vi.advanceTimersByTimeAsync(2_000);
    const error = await failure;
    expect(error).toMatchObject({ code: 'EXEC_TIMEOUT', phase: 'exec' });
    expect(error.message).toBe('command "sleep" in sandbox sbx-1 timed out after 2000 ms');
    const marker = container.execs[0]?.Env?.find((e) => e.startsWith(EXEC_MARKER_ENV));
    await vi.waitFor(() => expect(container.execs).toHaveLength(2));
    expect(container.execs[1]?.Cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(container.execs[1]?.Cmd.at(-1)).toBe(marker);
  });

  it('rejects with ABORTED when the caller signal aborts, destroying the output stream', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    docker.execHandler = (cmd) => (cmd[0] === 'cat' ? new Promise(() => {}) : { exitCode: 0 });
    const controller = new AbortController();
    const failure = failureOf(sandbox.exec(['cat'], { signal: controller.signal }));
    await vi.waitFor(() => expect(docker.calls.some((c) => c.startsWith('exec-start'))).toBe(true));
    controller.abort(new Error('user pressed ctrl-c'));
    expect(await failure).toMatchObject({ code: 'ABORTED' });
    // The kill command (cleanup) runs to its end; the aborted command's stream is destroyed.
    await vi.waitFor(() => expect(docker.openStreams).toEqual([]));
    expect(docker.streams[0]?.destroyed).toBe(true);
  });

  it('destroys an output stream that arrives after the abort, and asks nothing more about that command', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    const reply = deferred();
    const controller = new AbortController();
    docker.execHandler = (cmd) => (cmd[0] === 'cat' ? new Promise(() => {}) : { exitCode: 0 });
    docker.hooks.execStart = (_container, options) => {
      if (options.Cmd[0] !== 'cat') return;
      controller.abort(new Error('user pressed ctrl-c'));
      return reply.promise;
    };
    expect(await failureOf(sandbox.exec(['cat'], { signal: controller.signal }))).toMatchObject({
      code: 'ABORTED',
    });
    reply.resolve();
    await vi.waitFor(() => expect(docker.openStreams).toEqual([]));
    expect(docker.calls.filter((c) => c.includes(' cat'))).toEqual([
      'exec sbx-1 cat',
      'exec-start sbx-1 cat',
    ]);
  });

  it('rejects with SANDBOX_GONE (not EXEC_FAILED) when the container has stopped or was removed', async () => {
    const { container, sandbox } = await sandboxOnFake();
    container.exit(1);
    const stopped = await failureOf(sandbox.exec(['true']));
    expect(stopped).toMatchObject({ code: 'SANDBOX_GONE', phase: 'exec', retryable: false });
    expect(stopped.message).toBe(
      'sandbox sbx-1 is gone (Container c1 is not running): its container was removed or has stopped - provision a new sandbox',
    );
    await container.remove({ force: true });
    const removed = await failureOf(sandbox.exec(['true']));
    expect(removed).toMatchObject({ code: 'SANDBOX_GONE' });
    expect(removed.message).toMatch(/\(No such container: sbx-1\)/);
  });

  it('rejects with SANDBOX_GONE when the container dies while the command runs', async () => {
    const { docker, container, sandbox } = await sandboxOnFake();
    docker.execHandler = () => new Promise(() => {});
    const failure = failureOf(sandbox.exec(['sleep', '30']));
    await vi.waitFor(() => expect(docker.calls.some((c) => c.startsWith('exec-start'))).toBe(true));
    await container.remove({ force: true });
    expect(await failure).toMatchObject({ code: 'SANDBOX_GONE' });
    expect((await failure).message).toMatch(/its container stopped while "sleep" ran/);
  });

  it('keeps exit code 137 a result while the container still runs (a command killed inside it)', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    docker.execHandler = () => ({ exitCode: 137, stderr: 'Killed\n' });
    const result = sandbox.exec(['big']);
    await vi.advanceTimersByTimeAsync(150);
    await expect(result).resolves.toMatchObject({ exitCode: 137, stdout: '', stderr: 'Killed\n' });
    expect(docker.calls.filter((c) => c === 'inspect sbx-1')).toHaveLength(4);
  });

  it('wraps any other engine failure as EXEC_FAILED', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    docker.hooks.execCreate = () => {
      throw httpError(500, 'containerd: deadline exceeded');
    };
    const error = await failureOf(sandbox.exec(['true']));
    expect(error).toMatchObject({ code: 'EXEC_FAILED', phase: 'exec' });
    expect(error.message).toMatch(/running "true" in sandbox sbx-1 failed: containerd: deadline exceeded/);
  });

  it('rejects bad arguments before calling the engine', async () => {
    const { container, sandbox } = await sandboxOnFake();
    expect(await failureOf(sandbox.exec([]))).toMatchObject({ code: 'INVALID_SPEC' });
    expect(await failureOf(sandbox.exec(['true'], { timeoutMs: 0 }))).toMatchObject({ code: 'INVALID_SPEC' });
    expect(container.execs).toEqual([]);
  });
});

describe('DockerSandbox.dispose', () => {
  it('force-removes the container once, however often and concurrently it is called', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    await Promise.all([sandbox.dispose(), sandbox.dispose(), sandbox[Symbol.asyncDispose]()]);
    await sandbox.dispose();
    expect(docker.calls.filter((c) => c.startsWith('remove'))).toEqual(['remove sbx-1']);
    expect(docker.live).toEqual([]);
    expect(sandbox.disposed).toBe(true);
  });

  it('treats a container that is already gone as disposed', async () => {
    const { container, sandbox } = await sandboxOnFake();
    await container.remove({ force: true });
    await expect(sandbox.dispose()).resolves.toBeUndefined();
  });

  it('lets a failed removal be retried', async () => {
    const { docker, sandbox } = await sandboxOnFake();
    docker.hooks.remove = () => {
      throw httpError(500, 'driver busy');
    };
    expect(await failureOf(sandbox.dispose())).toMatchObject({ code: 'ENGINE_ERROR', phase: 'dispose' });
    docker.hooks.remove = undefined;
    await sandbox.dispose();
    expect(docker.live).toEqual([]);
  });

  it('refuses exec after dispose', async () => {
    const { container, sandbox } = await sandboxOnFake();
    await sandbox.dispose();
    expect(await failureOf(sandbox.exec(['true']))).toMatchObject({ code: 'DISPOSED' });
    expect(container.execs).toEqual([]);
  });
});
