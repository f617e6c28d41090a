// The `sbx bench tti --report` page in real headless Chromium, opened from a file as a double-click would: a
// chart per mode draws, nothing is fetched from anywhere, and the console stays clean.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, launchChromium } from '../kinds/webcontainer/driver/index.js';
import { syntheticTti } from './tti-fixture.js';
import { renderTtiReport } from './tti-report.js';
import { summarizeTti } from './tti-summary.js';

const missing = existsSync(DEFAULT_CHROMIUM_PATH)
  ? undefined
  : `${DEFAULT_CHROMIUM_PATH} missing: apt-get install -y chromium`;

interface Page {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  on(event: 'request', fn: (r: { url(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: () => boolean, arg: null, options: { timeout: number }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

describe.skipIf(missing !== undefined && !process.env.CI)('the TTI report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    browser = (await launchChromium({
      executablePath: DEFAULT_CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    })) as unknown as Browser;
  });
  afterAll(async () => browser?.close());

  it('opens from a file, draws a distribution per mode (painted canvases), loads nothing, logs no error', async () => {
    const run = syntheticTti(30, ['runsc']);
    const file = join(mkdtempSync(join(tmpdir(), 'sbx-tti-report-')), 'tti.html');
    writeFileSync(file, renderTtiReport(run, summarizeTti(run)));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.dataset.drawn === 'yes', null, { timeout: 10_000 });
    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
        return { id: canvas.closest('.chart')?.id, painted };
      }),
    );
    expect(canvases.map((c) => c.id)).toEqual(['chart-sequential', 'chart-staggered', 'chart-burst']);
    for (const c of canvases) expect(c.painted, c.id).toBeGreaterThan(2_000);
    // One legend entry per series of the mode (sequential also shows the docker run floor), both runtimes.
    const legends = await page.evaluate(() =>
      [...document.querySelectorAll('.chart')].map(
        (chart) => chart.querySelectorAll('.u-legend .u-series').length - 1,
      ),
    );
    expect(legends).toEqual([10, 8, 8]);
    const rows = await page.evaluate(
      () => document.querySelectorAll('[data-testid="tti-summary"] tbody tr').length,
    );
    expect(rows).toBe(26);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(problems).toEqual([]);
  });
});
