import { DockerAdapter, type DockerSandboxSpec } from '@sbx/bootstrap';
import { SandboxProvisioner } from '@sbx/timing';
import { describe, expect, it, vi } from 'vitest';
import { deferred, FakeDocker } from './fake/fake-docker.js';
import { failureOf } from './testing/failure-of.js';

// An abort (Ctrl-C, a deadline) that lands while an engine call is in flight: after it, nothing but cleanup
// reaches the engine, and whatever the engine hands back late is destroyed, so no socket keeps Node alive.
const IMAGE = 'img:1';

function setup() {
  const docker = new FakeDocker([IMAGE]);
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({ docker, owner: 'me:1', logger });
  const controller = new AbortController();
  const provision = (spec: Partial<DockerSandboxSpec>) =>
    new SandboxProvisioner({ logger }).provision({
      type: 'docker',
      signal: controller.signal,
      bootstrapFn: (ctx) => adapter.provision({ image: IMAGE, ...spec }, ctx),
    });
  // Aborts now and remembers how many engine calls had been made by then.
  let callsAtAbort = -1;
  const abort = () => {
    callsAtAbort = docker.calls.length;
    controller.abort(new Error('SIGINT'));
  };
  const callsAfterAbort = () => docker.calls.slice(callsAtAbort);
  return { docker, provision, abort, callsAfterAbort };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('an abort while an engine call is in flight', () => {
  it('log probe: the output stream that arrives late is destroyed, nothing but remove follows the abort', async () => {
    const { docker, provision, abort, callsAfterAbort } = setup();
    const reply = deferred();
    // Whichever way the adapter opens the container's output, the abort lands while that reply is on its way.
    docker.hooks.attach = docker.hooks.logs = () => {
      abort();
      return reply.promise;
    };
    docker.hooks.afterStart = (c) => c.print('ready\n');
    const error = await failureOf(provision({ ready: { kind: 'log', pattern: '^ready$' } }));
    expect(error).toMatchObject({ code: 'ABORTED' });
    reply.resolve();
    await flush();
    expect(callsAfterAbort()).toEqual([`remove ${docker.containers[0]?.name}`]);
    expect(docker.live).toEqual([]);
    expect(docker.openStreams).toEqual([]);
  });

  it('start: an abort during start removes the container and calls nothing else', async () => {
    const { docker, provision, abort, callsAfterAbort } = setup();
    const reply = deferred();
    docker.hooks.start = () => {
      abort();
      return reply.promise;
    };
    const error = await failureOf(provision({ ready: { kind: 'log', pattern: '^ready$' } }));
    expect(error).toMatchObject({ code: 'ABORTED', phase: 'start' });
    reply.resolve();
    await flush();
    expect(callsAfterAbort()).toEqual([`remove ${docker.containers[0]?.name}`]);
    expect(docker.openStreams).toEqual([]);
  });

  it('exec probe: a late exec create is never started; a late exec stream is destroyed', async () => {
    for (const hook of ['execCreate', 'execStart'] as const) {
      const { docker, provision, abort, callsAfterAbort } = setup();
      const reply = deferred();
      docker.execHandler = () => new Promise(() => {});
      docker.hooks[hook] = () => {
        abort();
        return reply.promise;
      };
      const error = await failureOf(provision({ ready: { kind: 'exec', cmd: ['true'] } }));
      expect(error).toMatchObject({ code: 'ABORTED', phase: 'ready' });
      reply.resolve();
      await flush();
      expect(callsAfterAbort()).toEqual([`remove ${docker.containers[0]?.name}`]);
      expect(docker.openStreams).toEqual([]);
    }
  });

  it('passes the signal to every engine call but create and remove', async () => {
    const { docker, provision } = setup();
    docker.hooks.afterStart = (c) => c.print('ready\n');
    const { value } = await provision({ ready: { kind: 'log', pattern: '^ready$' } });
    await value?.exec(['true']);
    const unsignalled = docker.calls.filter((_, i) => docker.callSignals[i] === undefined);
    expect(unsignalled.map((call) => call.split(' ')[0])).toEqual(['inspect-image', 'create']);
    expect(docker.openStreams).toEqual([]);
  });
});
