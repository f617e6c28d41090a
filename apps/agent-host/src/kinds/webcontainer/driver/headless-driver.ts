import { existsSync } from 'node:fs';
import type { WebContainerMeasurement } from '@sbx/bootstrap/webcontainer';
import type { DriverBrowser, DriverPage, WebContainerDriveResult } from './driver-browser.js';
import { launchChromium } from './launch-chromium.js';
import { firstLine, WebContainerDriverError } from './webcontainer-driver-error.js';

/** Debian's Chromium, which CI installs with `apt-get install chromium`. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet headless run: no sandbox (containers), no GPU, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]);

export type { DriverBrowser, DriverPage, WebContainerDriveResult };

/** Starts the browser; playwright-core's `chromium.launch` by default. */
export type LaunchBrowser = (options: {
  executablePath: string;
  args: readonly string[];
}) => Promise<DriverBrowser>;

/** Options of `driveWebContainerProvisions()`. */
export interface DriveWebContainerOptions {
  /** The host serving `/webcontainer`, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string;
  count: number;
  /** `true` (or a scenario such as `'hang'`) loads the fake module; `false` loads StackBlitz's runtime. */
  fake: boolean | string;
  /** More page query parameters, e.g. `{ bootTimeoutMs: 1000 }`. */
  query?: Record<string, string | number>;
  executablePath?: string;
  /** Bound of one provision, from page load to its result; 30 s by default. */
  timeoutMs?: number;
  launch?: LaunchBrowser;
  /** Called after each provision, for progress output. */
  onResult?: (result: WebContainerDriveResult) => void;
  /** Sent with every request of the page (e.g. `Authorization` for the host's ingest). */
  headers?: Record<string, string>;
}

/**
 * Provisions `count` WebContainers in headless Chromium, one browser context (one page) each, in turn.
 *
 * @example
 * const results = await driveWebContainerProvisions({ baseUrl: 'http://127.0.0.1:7070', count: 5, fake: true });
 * for (const r of results) console.log(r.measurement.payload.durationMs, r.measurement.payload.phases);
 */
export async function driveWebContainerProvisions(
  options: DriveWebContainerOptions,
): Promise<WebContainerDriveResult[]> {
  const { count, fake } = options;
  if (!(Number.isInteger(count) && count > 0)) {
    throw new WebContainerDriverError('INVALID_ARGUMENT', `count must be a positive integer, got ${count}`);
  }
  const executablePath = options.executablePath ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new WebContainerDriverError(
      'CHROMIUM_MISSING',
      `Chromium not found at ${executablePath} - install it with \`apt-get install -y chromium\` or pass its path`,
    );
  }
  const url = pageUrl(options.baseUrl, fake, options.query);
  const browser = await (options.launch ?? launchChromium)({ executablePath, args: CHROMIUM_ARGS });
  const results: WebContainerDriveResult[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const result = await provisionOnce(
        browser,
        url,
        index,
        options.timeoutMs ?? 30_000,
        results,
        options.headers,
      );
      results.push(result);
      options.onResult?.(result);
      const error = result.measurement.payload.error;
      if (error?.code === 'RUNTIME_UNREACHABLE') {
        // Every further try would wait out the same boot bound: stop and say why in one line.
        throw new WebContainerDriverError(
          'RUNTIME_UNREACHABLE',
          `WebContainer runtime unreachable (${error.message})` +
            (fake === false ? ' - real mode needs internet access to StackBlitz; --fake runs offline' : ''),
          { results },
        );
      }
    }
    return results;
  } finally {
    await browser.close().catch(() => {});
  }
}

async function provisionOnce(
  browser: DriverBrowser,
  url: string,
  index: number,
  timeoutMs: number,
  results: WebContainerDriveResult[],
  headers: Record<string, string> | undefined,
): Promise<WebContainerDriveResult> {
  const context = await browser.newContext(headers ? { extraHTTPHeaders: headers } : {});
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const started = performance.now();
    try {
      await page.goto(url, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
    } catch (error) {
      throw new WebContainerDriverError(
        'PAGE_FAILED',
        `could not load ${url}: ${firstLine(error)} - is the host running (sbx serve)?`,
        { cause: error, results },
      );
    }
    const left = Math.max(1, timeoutMs - (performance.now() - started));
    let measurement: WebContainerMeasurement;
    try {
      const handle = await page.waitForFunction(
        () => (globalThis as { __sbxResult?: unknown }).__sbxResult,
        undefined,
        {
          timeout: left,
          polling: 20,
        },
      );
      measurement = (await handle.jsonValue()) as WebContainerMeasurement;
    } catch (error) {
      const why = problems.length > 0 ? `: ${problems.slice(0, 3).join('; ')}` : '';
      throw new WebContainerDriverError(
        'RESULT_TIMEOUT',
        `${url} produced no result within ${timeoutMs} ms${why}`,
        {
          cause: error,
          results,
        },
      );
    }
    return { index, url, measurement, wallMs: performance.now() - started };
  } finally {
    await context.close().catch(() => {});
  }
}

/** The page URL for a mode: `/webcontainer` (real) or `/webcontainer?fake=<scenario>`. */
export function pageUrl(
  baseUrl: string,
  fake: boolean | string,
  query: Record<string, string | number> = {},
): string {
  const url = new URL('/webcontainer', baseUrl);
  if (fake !== false) url.searchParams.set('fake', fake === true ? 'ok' : fake);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
  return url.href;
}
