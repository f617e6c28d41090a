import { createFakeWebContainerApi, fakeOptionsFromQuery } from '@sbx/bootstrap/webcontainer/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

describe('fakeOptionsFromQuery', () => {
  it('reads a scenario and numeric overrides from a page query string', () => {
    expect(fakeOptionsFromQuery('?fake=hang')).toEqual({ boot: 'hang' });
    expect(fakeOptionsFromQuery('?fake=install-fails&installDelayMs=5&serverPort=8080')).toEqual({
      installExitCode: 1,
      installDelayMs: 5,
      serverPort: 8080,
    });
    expect(fakeOptionsFromQuery('?fake=port-only')).toEqual({ serverEvent: 'port' });
  });

  it('ignores unknown scenarios and invalid numbers instead of breaking the page', () => {
    expect(
      fakeOptionsFromQuery('?fake=nonsense&bootDelayMs=-1&mountDelayMs=abc&serverReadyDelayMs='),
    ).toEqual({});
    expect(fakeOptionsFromQuery('')).toEqual({});
  });
});

describe('createFakeWebContainerApi', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('boots after bootDelayMs and, like the real one, only one instance at a time', async () => {
    const api = createFakeWebContainerApi({ bootDelayMs: 100 });
    let booted = false;
    const first = api.WebContainer.boot().then((c) => {
      booted = true;
      return c;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(booted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const container = await first;
    await expect(api.WebContainer.boot()).rejects.toThrow(
      'Only a single WebContainer instance can be booted',
    );
    container.teardown();
    expect(() => container.teardown()).toThrow('already torn down');
    await expect(container.spawn('ls', [])).rejects.toThrow('already torn down');
  });

  it('never settles a hanging boot', async () => {
    const api = createFakeWebContainerApi({ boot: 'hang' });
    const outcome = vi.fn();
    api.WebContainer.boot().then(outcome, outcome);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(outcome).not.toHaveBeenCalled();
  });

  it('emits port then server-ready for a started server, and stops the server on kill', async () => {
    const api = createFakeWebContainerApi({ bootDelayMs: 0, serverReadyDelayMs: 10, serverPort: 4000 });
    const pending = api.WebContainer.boot();
    await vi.advanceTimersByTimeAsync(0);
    const container = await pending;
    const events: string[] = [];
    container.on('port', (port, type) => events.push(`port ${port} ${type}`));
    container.on('server-ready', (port, url) => events.push(`ready ${port} ${url}`));
    const server = await container.spawn('npm', ['run', 'dev']);
    await vi.advanceTimersByTimeAsync(10);
    expect(events).toEqual(['port 4000 open', 'ready 4000 http://localhost:4000']);
    server.kill();
    expect(await server.exit).toBe(143);
  });
});
