import {
  BootstrapError,
  WebContainerAdapter,
  type WebContainerAdapterOptions,
  type WebContainerApi,
  type WebContainerSpec,
} from '@sbx/bootstrap/webcontainer';
import { createFakeWebContainerApi, type FakeWebContainerOptions } from '@sbx/bootstrap/webcontainer/testing';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import type * as RealWebContainerApi from '@webcontainer/api';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { WebContainerInstance } from './webcontainer-api.js';

const isolated = { crossOriginIsolated: true, SharedArrayBuffer };
const files = { 'package.json': { file: { contents: '{"scripts":{"start":"node index.js"}}' } } };
const fullSpec: WebContainerSpec = { files, install: ['npm', 'install'], start: ['npm', 'start'] };

function setup(fake: FakeWebContainerOptions = {}, options: Partial<WebContainerAdapterOptions> = {}) {
  const api = createFakeWebContainerApi(fake);
  const adapter = new WebContainerAdapter({ module: api, globals: isolated, ...options });
  const results: ProvisionResult[] = [];
  const provisioner = new SandboxProvisioner({ recorder: { record: (r) => void results.push(r) } });
  const provision = (spec: WebContainerSpec = fullSpec, deadlineMs = 10_000, signal?: AbortSignal) =>
    provisioner.provision({
      type: 'webcontainer',
      deadlineMs,
      ...(signal ? { signal } : {}),
      bootstrapFn: (ctx) => adapter.provision(spec, ctx),
    });
  return { api, adapter, results, provision };
}

/** Runs `pending` to completion on fake time and returns its error (or fails if it resolved). */
async function failure(pending: Promise<unknown>, advanceMs = 60_000): Promise<BootstrapError> {
  const settled = pending.then(
    () => {
      throw new Error('expected the provisioning to fail');
    },
    (error: unknown) => error,
  );
  await vi.advanceTimersByTimeAsync(advanceMs);
  const error = await settled;
  expect(error).toBeInstanceOf(BootstrapError);
  return error as BootstrapError;
}

async function settle<T>(pending: Promise<T>, advanceMs = 60_000): Promise<T> {
  await vi.advanceTimersByTimeAsync(advanceMs);
  return pending;
}

describe('WebContainerAdapter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts the real @webcontainer/api module type', () => {
    expectTypeOf<typeof RealWebContainerApi>().toExtend<WebContainerApi>();
  });

  it('times preflight, boot, mount, install, start and ready, and leaves the server running', async () => {
    const { api, provision } = setup({ bootDelayMs: 40, installDelayMs: 300, serverReadyDelayMs: 60 });
    const result = await settle(provision());
    expect(result.status).toBe('ok');
    expect(result.phases.map((p) => [p.name, p.durationMs])).toEqual([
      ['preflight', 0],
      ['boot', 40],
      ['mount', 2],
      ['install', 300],
      ['start', 0],
      ['ready', 60],
    ]);
    expect(result.durationMs).toBe(402);
    expect(api.stats.mounted).toEqual([files]);
    expect(api.stats.spawned).toEqual(['npm install', 'npm start']);
    expect(result.value.server).toEqual({ port: 3000, url: 'http://localhost:3000' });
    expect(api.stats.live).toBe(true);
    await result.value.dispose();
    expect(api.stats).toMatchObject({ live: false, teardowns: 1 });
  });

  it('skips the mount, install, start and ready phases a spec does not ask for', async () => {
    const result = await settle(setup().provision({}));
    expect(result.phases.map((p) => p.name)).toEqual(['preflight', 'boot']);
    await result.value.dispose();
  });

  it.each([
    [
      { crossOriginIsolated: false, SharedArrayBuffer },
      /not cross-origin isolated.*Cross-Origin-Embedder-Policy/,
    ],
    [{ crossOriginIsolated: true }, /SharedArrayBuffer is not available/],
  ])(
    'fails preflight on a page that cannot host a WebContainer, without booting (%o)',
    async (globals, message) => {
      const { api, results, provision } = setup({}, { globals });
      const error = await failure(provision());
      expect(error).toMatchObject({ code: 'NOT_CROSS_ORIGIN_ISOLATED', phase: 'preflight' });
      expect(error.message).toMatch(message);
      expect(api.stats.boots).toBe(0);
      expect(results[0]?.phases?.map((p) => p.name)).toEqual(['preflight']);
    },
  );

  it('rejects an invalid spec in preflight', async () => {
    const error = await failure(setup().provision({ start: [] as string[] }));
    expect(error).toMatchObject({ code: 'INVALID_SPEC', message: expect.stringMatching(/start must be/) });
    const noStart = await failure(setup().provision({ ready: { port: 3000 } }));
    expect(noStart.message).toMatch(/ready needs a start command/);
  });

  it('gives up on a boot that never settles after bootTimeoutMs, as RUNTIME_UNREACHABLE', async () => {
    const { results, provision } = setup({ boot: 'hang' }, { bootTimeoutMs: 2_000 });
    let settled = false;
    const pending = provision().finally(() => {
      settled = true;
    });
    pending.catch(() => {});
    await vi.advanceTimersByTimeAsync(1_999);
    expect(settled).toBe(false);
    const error = await failure(pending, 1);
    expect(error).toMatchObject({ code: 'RUNTIME_UNREACHABLE', phase: 'boot', retryable: true });
    expect(error.message).toMatch(
      /WebContainer runtime could not be loaded: boot\(\) did not settle within 2000 ms/,
    );
    expect(results[0]).toMatchObject({
      durationMs: 2_000,
      status: 'sla_breach',
      error: { code: 'RUNTIME_UNREACHABLE' },
    });
  });

  it('bounds boot by the deadline left when that is shorter than bootTimeoutMs', async () => {
    const { results, provision } = setup({ boot: 'hang' }, { bootTimeoutMs: 8_000 });
    const error = await failure(provision(fullSpec, 3_000));
    expect(error.code).toBe('RUNTIME_UNREACHABLE');
    expect(results[0]?.durationMs).toBe(3_000);
  });

  it('wraps a boot that rejects', async () => {
    const error = await failure(setup({ boot: 'reject' }).provision());
    expect(error).toMatchObject({
      code: 'RUNTIME_UNREACHABLE',
      message: expect.stringMatching(/boot\(\) failed/),
    });
  });

  it('tears down a WebContainer that boots after the adapter gave up on it', async () => {
    let resolveBoot: (container: WebContainerInstance) => void = () => {};
    const teardown = vi.fn();
    const module: WebContainerApi = {
      WebContainer: { boot: () => new Promise((resolve) => (resolveBoot = resolve)) },
    };
    const adapter = new WebContainerAdapter({ module, globals: isolated, bootTimeoutMs: 100 });
    const error = await failure(
      new SandboxProvisioner().provision({
        type: 'webcontainer',
        bootstrapFn: (ctx) => adapter.provision({}, ctx),
      }),
    );
    expect(error.code).toBe('RUNTIME_UNREACHABLE');
    resolveBoot({ teardown } as unknown as WebContainerInstance);
    await vi.advanceTimersByTimeAsync(0);
    expect(teardown).toHaveBeenCalledOnce();
  });

  it('allows one WebContainer per page: a second provisioning fails with ALREADY_BOOTED until dispose()', async () => {
    const { api, provision } = setup();
    const other = new WebContainerAdapter({ module: api, globals: isolated });
    const first = await settle(provision());
    const second = await failure(
      new SandboxProvisioner().provision({
        type: 'webcontainer',
        bootstrapFn: (ctx) => other.provision({}, ctx),
      }),
    );
    expect(second).toMatchObject({
      code: 'ALREADY_BOOTED',
      message: expect.stringMatching(/dispose\(\) it/),
    });
    await first.value?.dispose();
    const third = await settle(provision());
    expect(third.status).toBe('ok');
    await third.value?.[Symbol.asyncDispose]();
    expect(api.stats).toMatchObject({ boots: 2, teardowns: 2, live: false });
  });

  it('lets only one of two concurrent provisionings boot', async () => {
    const { api, provision } = setup();
    const outcomes = await settle(Promise.allSettled([provision(), provision()]));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(api.stats.boots).toBe(1);
  });

  it('dispose() is idempotent and exec() after it fails with DISPOSED', async () => {
    const { api, provision } = setup();
    const handle = (await settle(provision())).value;
    await handle?.dispose();
    await handle?.dispose();
    expect(api.stats.teardowns).toBe(1);
    await expect(handle?.exec('ls')).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it.each([
    ['install', { installExitCode: 1 }, 'INSTALL_FAILED', /npm install exited with code 1: added 1 package/],
    ['mount', { mountError: 'ENOSPC' }, 'MOUNT_FAILED', /mounting the files failed: ENOSPC/],
    [
      'ready',
      { serverEvent: 'none' as const },
      'READINESS_TIMEOUT',
      /waited 8000 ms for a server-ready event/,
    ],
  ])('tears the WebContainer down before a %s failure propagates', async (phase, fake, code, message) => {
    const { api, results, provision } = setup(fake);
    const error = await failure(provision());
    expect(error).toMatchObject({ code, phase });
    expect(error.message).toMatch(message);
    expect(results[0]?.phases?.at(-1)?.name).toBe(phase);
    expect(api.stats).toMatchObject({ boots: 1, teardowns: 1, live: false });
    const retry = await settle(setup().provision());
    expect(retry.status).toBe('ok');
    await retry.value.dispose();
  });

  it('waits for a port open event when a port is given, ignoring other ports', async () => {
    const { provision } = setup({ serverEvent: 'port', serverPort: 5173 });
    const spec = { ...fullSpec, ready: { port: 5173 } };
    const result = await settle(provision(spec));
    expect(result.value.server).toEqual({ port: 5173, url: 'http://localhost:5173' });
    await result.value.dispose();
    const error = await failure(setup({ serverPort: 3000 }, { readyTimeoutMs: 500 }).provision(spec));
    expect(error.message).toMatch(/waited 500 ms for port 5173 to open/);
  });

  it('fails ready when the start command exits before the server is ready', async () => {
    const error = await failure(setup().provision({ ...fullSpec, start: ['node', 'index.js'] }));
    expect(error).toMatchObject({ code: 'READINESS_FAILED', phase: 'ready' });
    expect(error.message).toMatch(
      /exited with code 0 before the server was ready; its last output: node index.js/,
    );
  });

  it('stops at the provisioning deadline with DEADLINE_EXCEEDED and tears down', async () => {
    const { api, results, provision } = setup({ installDelayMs: 60_000 });
    const error = await failure(provision(fullSpec, 5_000));
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', phase: 'install' });
    expect(results[0]?.durationMs).toBe(5_000);
    expect(api.stats.teardowns).toBe(1);
  });

  it('stops with ABORTED when the caller aborts', async () => {
    const controller = new AbortController();
    const { provision } = setup({ bootDelayMs: 1_000 });
    const pending = provision(fullSpec, 10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('Ctrl-C')), 100);
    expect(await failure(pending)).toMatchObject({ code: 'ABORTED', phase: 'boot' });
  });

  it('rejects a module that is not @webcontainer/api', () => {
    expect(() => new WebContainerAdapter({ module: {} as WebContainerApi })).toThrow(/module must be/);
  });
});
