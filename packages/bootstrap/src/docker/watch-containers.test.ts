import { DockerAdapter, type SandboxGoneEvent } from '@sbx/bootstrap';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JsonLines, parseEngineEvent } from './container-events.js';
import { connectionError, deferred, type FakeContainer, FakeDocker } from './fake/fake-docker.js';
import { WATCH_BACKOFF_MS } from './watch-containers.js';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');

async function setup() {
  const docker = new FakeDocker(['img']);
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({ docker, logger });
  const gone: SandboxGoneEvent[] = [];
  const controller = new AbortController();
  const sandbox = async (name: string, labels: Record<string, string> = { 'sbx.managed-by': 'sbx' }) => {
    const c = (await docker.createContainer({
      name,
      Image: 'img',
      Labels: { ...labels, 'sbx.sandbox-id': name },
    })) as FakeContainer;
    await c.start();
    return c;
  };
  const watch = () => adapter.watch((event) => gone.push(event), { signal: controller.signal });
  return { docker, logger, adapter, gone, controller, sandbox, watch };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('DockerAdapter.watch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports sbx containers that exit, are killed for memory or are removed, and nothing else', async () => {
    const { docker, gone, sandbox, watch, controller } = await setup();
    const a = await sandbox('sbx-a');
    const b = await sandbox('sbx-b');
    const other = await sandbox('not-ours', {});
    await watch();
    expect(docker.calls).toContain('events');
    expect(docker.callSignals[docker.calls.indexOf('events')]).toBe(controller.signal);
    a.exit(3);
    b.oom();
    await b.remove({ force: true });
    await other.remove({ force: true });
    await flush();
    expect(gone).toEqual([
      { sandboxId: 'sbx-a', containerId: a.id, reason: 'exited', exitCode: 3 },
      { sandboxId: 'sbx-b', containerId: b.id, reason: 'oom' },
      { sandboxId: 'sbx-b', containerId: b.id, reason: 'exited', exitCode: 137 },
      { sandboxId: 'sbx-b', containerId: b.id, reason: 'removed' },
    ]);
    controller.abort();
  });

  it('aborting destroys the stream and stops the reports', async () => {
    const { docker, gone, sandbox, watch, controller } = await setup();
    const a = await sandbox('sbx-a');
    await watch();
    controller.abort();
    a.exit(0);
    await flush();
    expect(gone).toEqual([]);
    expect(docker.openStreams).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reconnects after the stream ends, with one logged line, replaying what happened in between once', async () => {
    const { docker, logger, gone, sandbox, watch, controller } = await setup();
    const a = await sandbox('sbx-a');
    const b = await sandbox('sbx-b');
    await watch();
    a.exit(1);
    await flush();
    docker.dropEventStreams();
    await flush();
    // While no stream is open: only the replay from `since` can tell of it.
    b.exit(2);
    await vi.advanceTimersByTimeAsync(WATCH_BACKOFF_MS.first);
    expect(gone.map((e) => `${e.sandboxId} ${e.reason} ${e.exitCode}`)).toEqual([
      'sbx-a exited 1',
      'sbx-b exited 2',
    ]);
    expect(docker.calls.filter((c) => c === 'events')).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      `the engine's event stream ended; reconnecting with backoff up to ${WATCH_BACKOFF_MS.max} ms`,
    );
    await a.remove({ force: true });
    await flush();
    expect(gone.at(-1)).toMatchObject({ sandboxId: 'sbx-a', reason: 'removed' });
    controller.abort();
    expect(docker.openStreams).toEqual([]);
  });

  it('after an engine restart, reports the sbx containers that died with it (no replay tells of them), once', async () => {
    const { docker, gone, sandbox, watch, controller } = await setup();
    const a = await sandbox('sbx-a');
    const b = await sandbox('sbx-b');
    const other = await sandbox('not-ours', {});
    const early = await sandbox('sbx-early');
    await watch();
    early.exit(4);
    await flush();
    docker.restartEngine();
    expect([a, b, other].map((c) => c.state.Status)).toEqual(['exited', 'exited', 'exited']);
    await vi.advanceTimersByTimeAsync(WATCH_BACKOFF_MS.first);
    expect(gone.map((e) => `${e.sandboxId} ${e.reason} ${e.exitCode}`).sort()).toEqual([
      'sbx-a exited 137',
      'sbx-b exited 137',
      'sbx-early exited 4',
    ]);
    // A second loss with nothing new says nothing new.
    docker.dropEventStreams();
    await vi.advanceTimersByTimeAsync(WATCH_BACKOFF_MS.first);
    expect(gone).toHaveLength(3);
    controller.abort();
    expect(docker.openStreams).toEqual([]);
  });

  it('backs off (doubling, bounded) while the engine is away, logs the loss once, and stops on abort', async () => {
    const { docker, logger, watch, controller } = await setup();
    await watch();
    docker.hooks.events = () => {
      throw connectionError('ECONNREFUSED');
    };
    docker.dropEventStreams(new Error('socket hang up'));
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1_600 + 3_200 + 5_000 + 5_000);
    // The first open, then one attempt after each wait: 100, 200, ..., 3200, 5000, 5000.
    expect(docker.calls.filter((c) => c === 'events')).toHaveLength(1 + 8);
    expect(logger.warn.mock.calls).toEqual([
      [expect.stringMatching(/^the engine's event stream failed \(socket hang up\); reconnecting/)],
    ]);
    controller.abort();
    await flush();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects when the engine cannot be reached at the start, and does not start at all when already aborted', async () => {
    const { docker, adapter } = await setup();
    docker.hooks.events = () => {
      throw connectionError('ECONNREFUSED');
    };
    await expect(adapter.watch(() => {})).rejects.toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      phase: 'watch',
    });
    await adapter.watch(() => {}, { signal: AbortSignal.abort() });
    expect(docker.calls.filter((c) => c === 'events')).toHaveLength(1);
  });

  it('destroys an event stream that arrives after the abort', async () => {
    const { docker, watch, controller } = await setup();
    const reply = deferred();
    docker.hooks.events = () => reply.promise;
    const watching = watch();
    controller.abort();
    await watching;
    reply.resolve();
    await flush();
    expect(docker.streams).toHaveLength(1);
    expect(docker.openStreams).toEqual([]);
  });

  it('logs a callback that throws and goes on', async () => {
    const { docker, logger, adapter, sandbox, controller } = await setup();
    const a = await sandbox('sbx-a');
    const seen: string[] = [];
    await adapter.watch(
      (event) => {
        seen.push(event.reason);
        throw new Error('host bug');
      },
      { signal: controller.signal },
    );
    await a.remove({ force: true });
    await flush();
    expect(seen).toEqual(['exited', 'removed']);
    expect(logger.warn).toHaveBeenCalledWith('a sandbox watch callback threw; the watch goes on', {
      error: 'Error: host bug',
    });
    controller.abort();
    expect(docker.openStreams).toEqual([]);
  });
});

describe('engine event lines', () => {
  it('joins lines split across chunks, and characters split across chunks', () => {
    const lines: string[] = [];
    const splitter = new JsonLines((line) => lines.push(line));
    const text = Buffer.from('{"a":"é"}\n\n{"b":1}\n{"c"');
    const cut = text.indexOf(0xa9); // inside the two bytes of é
    splitter.push(text.subarray(0, cut));
    splitter.push(text.subarray(cut));
    splitter.push(':2}\n');
    expect(lines).toEqual(['{"a":"é"}', '{"b":1}', '{"c":2}']);
  });

  it('reads die, destroy and oom of containers; anything else is skipped', () => {
    const line = (event: object) => JSON.stringify(event);
    expect(
      parseEngineEvent(
        line({
          Type: 'container',
          Action: 'die',
          Actor: { ID: 'c1', Attributes: { 'sbx.sandbox-id': 'sbx-1', exitCode: '0' } },
          time: 5,
          timeNano: 5_000_000_001,
        }),
      ),
    ).toEqual({
      time: 5,
      key: '5000000001:c1:die',
      gone: { sandboxId: 'sbx-1', containerId: 'c1', reason: 'exited', exitCode: 0 },
    });
    // The old form (status and id only), without a sandbox id label: the name, then the id, stand in.
    expect(parseEngineEvent(line({ status: 'destroy', id: 'c2', time: 1 }))?.gone).toEqual({
      sandboxId: 'c2',
      containerId: 'c2',
      reason: 'removed',
    });
    expect(
      parseEngineEvent(line({ Type: 'container', Action: 'start', Actor: { ID: 'c3' } })),
    ).toBeUndefined();
    expect(parseEngineEvent(line({ Type: 'image', Action: 'destroy', Actor: { ID: 'i' } }))).toBeUndefined();
    expect(parseEngineEvent('not json')).toBeUndefined();
    expect(parseEngineEvent('null')).toBeUndefined();
  });
});
