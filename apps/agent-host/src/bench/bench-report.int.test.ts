// The `sbx bench --report` page in real headless Chromium, opened from a file as a double-click would: every
// chart draws, nothing is fetched from anywhere, and the console stays clean. The screenshot is for a human.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, launchChromium } from '../kinds/webcontainer/driver/index.js';
import { syntheticRun } from './bench-fixture.js';
import { renderBenchReport } from './bench-report.js';
import { summarize } from './bench-summary.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
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
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

describe.skipIf(missing !== undefined && !process.env.CI)('the bench report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    browser = (await launchChromium({
      executablePath: DEFAULT_CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    })) as unknown as Browser;
  });
  afterAll(async () => browser?.close());

  it('opens from a file, draws both charts (non-empty canvases), loads nothing, logs no error', async () => {
    const run = syntheticRun();
    const file = join(mkdtempSync(join(tmpdir(), 'sbx-report-')), 'bench.html');
    writeFileSync(file, renderBenchReport(run, summarize(run)));
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.dataset.drawn === 'yes', null, { timeout: 10_000 });
    // Each canvas has a size and painted pixels (uPlot draws its lines and points there).
    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
        return { id: canvas.closest('.chart')?.id, width: canvas.width, height: canvas.height, painted };
      }),
    );
    expect(canvases.map((c) => c.id)).toEqual(['chart-distribution', 'chart-timeline']);
    for (const c of canvases) {
      expect(c.width * c.height).toBeGreaterThan(100_000);
      expect(c.painted, c.id).toBeGreaterThan(2_000);
    }
    const bars = await page.evaluate(
      () => document.querySelectorAll('[data-testid="phase-split"] .bar').length,
    );
    expect(bars).toBe(4);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(problems).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'bench-report.png'), fullPage: true });
  });
});
