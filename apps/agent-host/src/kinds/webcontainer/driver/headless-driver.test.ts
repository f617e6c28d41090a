import type { WebContainerMeasurement } from '@sbx/bootstrap/webcontainer';
import { describe, expect, it, vi } from 'vitest';
import {
  type DriverBrowser,
  type DriverPage,
  driveWebContainerProvisions,
  pageUrl,
} from './headless-driver.js';
import { WebContainerDriverError } from './webcontainer-driver-error.js';

const executablePath = process.execPath; // any file that exists: the launch is faked

function measurement(error?: { name: string; message: string; code: string }): WebContainerMeasurement {
  return {
    crossOriginIsolated: true,
    ingest: { ok: true, status: 201 },
    payload: {
      sandboxType: 'webcontainer',
      durationMs: 80,
      status: error ? 'sla_breach' : 'ok',
      timestamp: '2026-11-22T10:00:00.000Z',
      phases: [{ name: 'preflight', startMs: 0, durationMs: 0 }],
      ...(error ? { error } : {}),
    },
  };
}

/** A browser whose pages answer with the given outcomes, one per context. */
function fakeBrowser(outcomes: Array<WebContainerMeasurement | Error | 'goto-fails'>) {
  const visited: string[] = [];
  const contexts = { opened: 0, closed: 0 };
  const browser: DriverBrowser & { closed: boolean } = {
    closed: false,
    newContext: async () => {
      const outcome = outcomes[contexts.opened++];
      const page: DriverPage = {
        goto: async (url) => {
          visited.push(url);
          if (outcome === 'goto-fails')
            throw new Error('net::ERR_CONNECTION_REFUSED at http://x\nCall log: ...');
        },
        waitForFunction: async () => {
          if (outcome instanceof Error) throw outcome;
          return { jsonValue: async () => outcome };
        },
        on: (event: string, listener: (arg: never) => void) => {
          if (event === 'pageerror' && outcome instanceof Error) {
            (listener as (e: Error) => void)(
              new Error('Failed to resolve module specifier "@webcontainer/api"'),
            );
          }
        },
      } as DriverPage;
      return {
        newPage: async () => page,
        close: async () => {
          contexts.closed++;
        },
      };
    },
    close: async () => {
      browser.closed = true;
    },
  };
  return { browser, visited, contexts, launch: vi.fn(async () => browser) };
}

describe('driveWebContainerProvisions', () => {
  it('loads the page once per provision, each in its own context, and returns the measurements', async () => {
    const { browser, visited, contexts, launch } = fakeBrowser([measurement(), measurement()]);
    const onResult = vi.fn();
    const results = await driveWebContainerProvisions({
      baseUrl: 'http://127.0.0.1:7070',
      count: 2,
      fake: true,
      executablePath,
      launch,
      onResult,
    });
    expect(results.map((r) => [r.index, r.measurement.payload.status])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
    ]);
    expect(visited).toEqual(Array(2).fill('http://127.0.0.1:7070/webcontainer?fake=ok'));
    expect(contexts).toEqual({ opened: 2, closed: 2 });
    expect(onResult).toHaveBeenCalledTimes(2);
    expect(browser.closed).toBe(true);
    expect(launch).toHaveBeenCalledWith({ executablePath, args: expect.arrayContaining(['--no-sandbox']) });
  });

  it('says in one line which path it looked at when Chromium is missing', async () => {
    const error = await driveWebContainerProvisions({
      baseUrl: 'http://127.0.0.1:7070',
      count: 1,
      fake: true,
      executablePath: '/nonexistent/chromium',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CHROMIUM_MISSING',
      message:
        'Chromium not found at /nonexistent/chromium - install it with `apt-get install -y chromium` or pass its path',
    });
  });

  it('stops at the first unreachable runtime with one line, keeping what it measured', async () => {
    const unreachable = {
      name: 'BootstrapError',
      message: 'boot() did not settle within 8000 ms',
      code: 'RUNTIME_UNREACHABLE',
    };
    const { browser, launch } = fakeBrowser([measurement(), measurement(unreachable), measurement()]);
    const error = (await driveWebContainerProvisions({
      baseUrl: 'http://h',
      count: 3,
      fake: false,
      executablePath,
      launch,
    }).catch((e: unknown) => e)) as WebContainerDriverError;
    expect(error).toBeInstanceOf(WebContainerDriverError);
    expect(error.code).toBe('RUNTIME_UNREACHABLE');
    expect(error.message).toBe(
      'WebContainer runtime unreachable (boot() did not settle within 8000 ms) - real mode needs internet access to StackBlitz; --fake runs offline',
    );
    expect(error.message).not.toContain('\n');
    expect(error.results).toHaveLength(2);
    expect(browser.closed).toBe(true);
  });

  it('names the page and its errors when no result arrives in time', async () => {
    const { launch } = fakeBrowser([new Error('Timeout 500ms exceeded')]);
    const error = await driveWebContainerProvisions({
      baseUrl: 'http://h',
      count: 1,
      fake: 'hang',
      timeoutMs: 500,
      executablePath,
      launch,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'RESULT_TIMEOUT',
      message:
        'http://h/webcontainer?fake=hang produced no result within 500 ms: Failed to resolve module specifier "@webcontainer/api"',
    });
  });

  it('says when the host does not answer', async () => {
    const { launch } = fakeBrowser(['goto-fails']);
    const error = await driveWebContainerProvisions({
      baseUrl: 'http://h',
      count: 1,
      fake: true,
      executablePath,
      launch,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PAGE_FAILED',
      message:
        'could not load http://h/webcontainer?fake=ok: net::ERR_CONNECTION_REFUSED at http://x - is the host running (sbx serve)?',
    });
  });

  it('rejects a count that is not a positive integer', async () => {
    await expect(
      driveWebContainerProvisions({ baseUrl: 'http://h', count: 0, fake: true }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('pageUrl', () => {
  it('asks for the real module, a fake, or a fake scenario with extra parameters', () => {
    expect(pageUrl('http://h:1', false)).toBe('http://h:1/webcontainer');
    expect(pageUrl('http://h:1/', true)).toBe('http://h:1/webcontainer?fake=ok');
    expect(pageUrl('http://h:1', 'hang', { bootTimeoutMs: 1000 })).toBe(
      'http://h:1/webcontainer?fake=hang&bootTimeoutMs=1000',
    );
  });
});
