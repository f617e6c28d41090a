import {
  type MeasureWebContainerOptions,
  measureWebContainer,
  type ProvisionIngestPayload,
} from '@sbx/bootstrap/webcontainer';
import { createFakeWebContainerApi, type FakeWebContainerOptions } from '@sbx/bootstrap/webcontainer/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const spec = {
  files: { 'index.js': { file: { contents: 'require("http").createServer().listen(3000)' } } },
  install: ['npm', 'install'],
  start: ['npm', 'start'],
};

function page(fake: FakeWebContainerOptions = {}, respond = () => new Response(null, { status: 201 })) {
  const api = createFakeWebContainerApi(fake);
  const posts: Array<{ url: string; init: RequestInit; body: ProvisionIngestPayload }> = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    posts.push({ url: String(url), init: init ?? {}, body: JSON.parse(String(init?.body)) });
    return respond();
  }) as unknown as typeof globalThis.fetch;
  const globals: NonNullable<MeasureWebContainerOptions['globals']> = {
    crossOriginIsolated: true,
    SharedArrayBuffer,
  };
  const logger = { warn: vi.fn(), error: vi.fn() };
  const measure = (options: Partial<MeasureWebContainerOptions> = {}) => {
    const pending = measureWebContainer({
      module: api,
      spec,
      ingestUrl: '/v1/provisions',
      fetch,
      globals,
      logger,
      ...options,
    });
    return vi.advanceTimersByTimeAsync(60_000).then(() => pending);
  };
  return { api, posts, globals, logger, measure };
}

describe('measureWebContainer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(new Date('2026-11-22T10:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('POSTs the result with its phases as JSON, publishes it as __sbxResult and disposes the container', async () => {
    const { api, posts, globals, measure } = page({ bootDelayMs: 50 });
    const measurement = await measure();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.url).toBe('/v1/provisions');
    expect(posts[0]?.init).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(posts[0]?.body).toEqual({
      sandboxType: 'webcontainer',
      durationMs: 97,
      status: 'ok',
      timestamp: '2026-11-22T10:00:00.000Z',
      phases: [
        { name: 'preflight', startMs: 0, durationMs: 0 },
        { name: 'boot', startMs: 0, durationMs: 50 },
        { name: 'mount', startMs: 50, durationMs: 2 },
        { name: 'install', startMs: 52, durationMs: 30 },
        { name: 'start', startMs: 82, durationMs: 0 },
        { name: 'ready', startMs: 82, durationMs: 15 },
      ],
    });
    expect(measurement).toEqual({
      payload: posts[0]?.body,
      ingest: { ok: true, status: 201 },
      crossOriginIsolated: true,
    });
    expect(globals.__sbxResult).toBe(measurement);
    expect(api.stats).toMatchObject({ boots: 1, teardowns: 1, live: false });
  });

  it('records a boot that never settles as a RUNTIME_UNREACHABLE failure within the bound', async () => {
    const { posts, measure } = page({ boot: 'hang' });
    const measurement = await measure({ bootTimeoutMs: 1_500 });
    expect(posts[0]?.body).toMatchObject({
      durationMs: 1_500,
      status: 'sla_breach',
      phases: [{ name: 'preflight' }, { name: 'boot', durationMs: 1_500 }],
      error: { name: 'BootstrapError', code: 'RUNTIME_UNREACHABLE' },
    });
    expect(measurement.payload.error?.message).toMatch(/runtime could not be loaded/);
  });

  it('keeps the container when asked to', async () => {
    const { api, measure } = page();
    await measure({ keep: true });
    expect(api.stats.live).toBe(true);
  });

  it('reports an ingest the host refused, without failing the measurement', async () => {
    const { logger, measure } = page({}, () => new Response('durationMs must be finite', { status: 400 }));
    const measurement = await measure();
    expect(measurement.payload.status).toBe('ok');
    expect(measurement.ingest).toEqual({
      ok: false,
      status: 400,
      error: 'HTTP 400: durationMs must be finite',
    });
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('reports an unreachable ingest endpoint', async () => {
    const { measure } = page({}, () => {
      throw new TypeError('Failed to fetch');
    });
    expect((await measure()).ingest).toEqual({ ok: false, error: 'Failed to fetch' });
  });
});
