import { describe, expect, it } from 'vitest';
import { collectDemuxed } from '../docker-stream.js';
import { deferred, type FakeContainer, FakeDocker } from './fake-docker.js';

// The fake must behave like the real engine where the adapter depends on it; these pin those behaviours.
async function created(docker = new FakeDocker(['img'])) {
  const container = (await docker.createContainer({ name: 'sbx-1', Image: 'img' })) as FakeContainer;
  return { docker, container };
}

function lines(stream: NodeJS.ReadableStream): string[] {
  const seen: string[] = [];
  stream.on('data', (chunk: Buffer) => seen.push(...chunk.toString().split('\n').filter(Boolean)));
  return seen;
}

describe('FakeDocker tells the truth', () => {
  it('keeps an attach to a never-started container open after remove (moby/moby#41657)', async () => {
    const { docker, container } = await created();
    const attach = await container.attach();
    await container.remove({ force: true });
    expect(docker.openStreams).toEqual([attach]);
  });

  it('ends an attach to a started container when it is removed; read to its end, it is closed', async () => {
    const { docker, container } = await created();
    const attach = await container.attach();
    await container.start();
    await container.remove({ force: true });
    expect(docker.openStreams).toEqual([attach]);
    await collectDemuxed(attach);
    await new Promise((resolve) => setImmediate(resolve));
    expect(docker.openStreams).toEqual([]);
  });

  it('replays the whole log to a stream opened after start, then follows until the process exits', async () => {
    const { container } = await created();
    await container.start();
    container.print('first\n');
    const log = await container.logs({ follow: true, stdout: true, stderr: true });
    container.print('second\n', 2);
    container.exit(0);
    expect(await collectDemuxed(log)).toMatchObject({ stdout: 'first\n', stderr: 'second\n' });
    const after = await container.logs({ follow: true, stdout: true, stderr: true });
    expect((await collectDemuxed(after)).stdout).toBe('first\n');
  });

  it('delivers a delayed reply even after its call was aborted, and records the signal it got', async () => {
    const { docker, container } = await created();
    const reply = deferred();
    docker.hooks.logs = () => reply.promise;
    const controller = new AbortController();
    const pending = container.logs({
      follow: true,
      stdout: true,
      stderr: true,
      abortSignal: controller.signal,
    });
    controller.abort();
    reply.resolve();
    expect((await pending).readable).toBe(true);
    expect(docker.callSignals[docker.calls.indexOf('logs sbx-1')]).toBe(controller.signal);
  });

  it('refuses an exec in a stopped container (409) and in a removed one (404)', async () => {
    const { container } = await created();
    await expect(
      container.exec({ Cmd: ['ls'], AttachStdout: true, AttachStderr: true }),
    ).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/is not running/),
    });
    await container.remove();
    await expect(
      container.exec({ Cmd: ['ls'], AttachStdout: true, AttachStderr: true }),
    ).rejects.toMatchObject({
      statusCode: 404,
      message: expect.stringMatching(/No such container/),
    });
  });

  it('ends a running exec when its container dies, and reports it no longer running', async () => {
    const { docker, container } = await created();
    await container.start();
    docker.execHandler = () => new Promise(() => {});
    const exec = await container.exec({ Cmd: ['sleep', '9'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true });
    expect(await exec.inspect()).toMatchObject({ Running: true });
    await container.remove({ force: true });
    expect((await collectDemuxed(stream)).stdout).toBe('');
    expect(await exec.inspect()).toMatchObject({ Running: false, ExitCode: 137 });
  });

  it('emits die, oom and destroy events through matching event streams, and replays them with since', async () => {
    const docker = new FakeDocker(['img']);
    const ours = (await docker.createContainer({
      name: 'sbx-1',
      Image: 'img',
      Labels: { 'sbx.managed-by': 'sbx' },
    })) as FakeContainer;
    const other = (await docker.createContainer({ name: 'x', Image: 'img' })) as FakeContainer;
    const events = lines(
      await docker.getEvents({ filters: { type: ['container'], label: ['sbx.managed-by=sbx'] } }),
    );
    const onlyDestroy = lines(await docker.getEvents({ filters: { event: ['destroy'] } }));
    for (const c of [ours, other]) await c.start();
    ours.oom();
    await ours.remove();
    await expect(other.remove()).rejects.toMatchObject({ statusCode: 409 });
    await other.remove({ force: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.map((line) => JSON.parse(line).Action)).toEqual(['oom', 'die', 'destroy']);
    expect(JSON.parse(events[1] ?? '{}').Actor.Attributes).toMatchObject({ exitCode: '137', name: 'sbx-1' });
    expect(onlyDestroy.map((line) => JSON.parse(line).Actor.Attributes.name)).toEqual(['sbx-1', 'x']);
    const replayed = lines(await docker.getEvents({ since: 0, filters: { event: ['die'] } }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(replayed).toHaveLength(2);
  });
});
