import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProvisionResult } from '@sbx/timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { type AgentHost, openAgentHost } from '../src/sandbox/open-agent-host.js';
import { createApp } from '../src/server/create-app.js';
import { type RunningServer, startServer } from '../src/server/start-server.js';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, launchChromium } from '../src/webcontainer/index.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const missing = existsSync(DEFAULT_CHROMIUM_PATH)
  ? undefined
  : `${DEFAULT_CHROMIUM_PATH} missing: apt-get install -y chromium`;
const silent = { warn: () => {}, error: () => {} };

function synthetic(): ProvisionResult[] {
  const start = Date.parse('2026-11-22T09:00:00Z');
  const out: ProvisionResult[] = [];
  for (let i = 0; i < 60; i++) {
    const docker = 90 + ((i * 37) % 160) + (i === 7 ? 31_000 : 0);
    out.push({
      sandboxType: 'docker',
      durationMs: docker,
      status: docker > 30_000 ? 'sla_breach' : 'ok',
      timestamp: new Date(start + i * 60_000),
      slaLimitMs: 30_000,
      phases: [
        { name: 'image', startMs: 0, durationMs: 2 },
        { name: 'create', startMs: 2, durationMs: docker * 0.2 },
        { name: 'start', startMs: 2 + docker * 0.2, durationMs: docker * 0.7 },
        { name: 'ready', startMs: 2 + docker * 0.9, durationMs: docker * 0.1 - 2 },
      ],
    });
  }
  out.push({
    sandboxType: 'docker',
    durationMs: 45,
    status: 'sla_breach',
    timestamp: new Date(start + 61 * 60_000),
    slaLimitMs: 30_000,
    phases: [{ name: 'image', startMs: 0, durationMs: 45 }],
    error: {
      name: 'BootstrapError',
      message: 'image sbx-test/nope:1 not found locally',
      code: 'IMAGE_NOT_FOUND',
    },
  });
  for (let i = 0; i < 20; i++) {
    const wc = 80 + ((i * 53) % 90);
    out.push({
      sandboxType: 'webcontainer',
      durationMs: wc,
      status: 'ok',
      timestamp: new Date(start + i * 90_000),
      slaLimitMs: 10_000,
      phases: [
        { name: 'preflight', startMs: 0, durationMs: 0.3 },
        { name: 'boot', startMs: 0.3, durationMs: wc * 0.4 },
        { name: 'install', startMs: 0.3 + wc * 0.4, durationMs: wc * 0.4 },
        { name: 'ready', startMs: 0.3 + wc * 0.8, durationMs: wc * 0.2 - 0.3 },
      ],
    });
  }
  return out;
}

async function startHost(): Promise<{ agent: AgentHost; server: RunningServer }> {
  const db = join(mkdtempSync(join(tmpdir(), 'sbx-dash-')), 'sbx.db');
  const agent = await openAgentHost(resolveConfig({ db }, {}), silent);
  const server = await startServer(createApp(agent), { host: '127.0.0.1', port: 0 });
  return { agent, server };
}

async function record(agent: AgentHost): Promise<void> {
  await agent.kpis.recordMany(synthetic());
  for (let i = 0; i < 12; i++) {
    await agent.perf.insert('sandbox_perf_records', {
      sandboxId: `sb-${i}`,
      startTime: Date.now(),
      durationMs: 200 + i * 500,
      outcome: i === 3 ? 'timeout' : 'success',
      alertFired: 200 + i * 500 > 5_000,
    });
  }
  await agent.alerts.insert({
    kind: 'sla-breach',
    sandboxType: 'docker',
    valueMs: 31_097,
    thresholdMs: 30_000,
    message: 'sla-breach: docker provisioning took 31097 ms (limit 30000 ms)',
  });
  await agent.alerts.insert({
    kind: 'overhead-alert',
    sandboxId: 'sb-11',
    valueMs: 5_700,
    thresholdMs: 5_000,
    message: 'overhead-alert: sandbox sb-11 ran 5700 ms (> 5000 ms)',
  });
}

/** Formats like the page: one decimal and ` ms`, or a dash when the API omits the number. */
const fmt = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);

/** What each number on a type's card must read, computed from `GET /v1/kpis`. */
function expectedNumbers(type: string, k: KpiType): Record<string, string> {
  const rate = k.last100.successRate;
  return {
    [`${type}-sla`]: k.sla === 'no-data' ? 'no data' : `SLA ${k.sla}`,
    [`${type}-sla-limit`]: fmt(k.slaLimitMs),
    [`${type}-p50-last100`]: fmt(k.last100.p50Ms),
    [`${type}-p95-last100`]: fmt(k.p95Last100),
    [`${type}-p99-last100`]: fmt(k.last100.p99Ms),
    [`${type}-n-last100`]: String(k.last100.n),
    [`${type}-breaches-failures`]: `${k.last100.slaBreaches} / ${k.last100.failures}`,
    [`${type}-p50-all`]: fmt(k.allTime.p50Ms),
    [`${type}-p95-all`]: fmt(k.allTime.p95Ms),
    [`${type}-p99-all`]: fmt(k.allTime.p99Ms),
    [`${type}-n-all`]: String(k.allTime.n),
    [`${type}-max-all`]: fmt(k.allTime.maxMs),
    [`${type}-success-rate`]: rate === undefined ? '-' : `${(rate * 100).toFixed(1)} %`,
  };
}

/** Opens the dashboard at 1366x768 and collects everything that went wrong while it loaded. */
async function openDashboard(browser: PlaywrightBrowser, url: string, options: OpenOptions = {}) {
  const context = await browser.newContext(options.colorScheme ? { colorScheme: options.colorScheme } : {});
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  await page.setViewportSize({ width: 1366, height: 768 });
  if (options.fakeClock) await page.clock.install();
  await page.goto(`${url}/`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  await refreshed(page, 1);
  return { page, problems, text: (id: string) => page.textContent(`[data-testid="${id}"]`) };
}

function refreshed(page: PlaywrightPage, times: number): Promise<unknown> {
  return page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) >= n, times, {
    timeout: 15_000,
    polling: 50,
  });
}

async function canvasSizes(page: PlaywrightPage): Promise<number[][]> {
  return page.$$eval('canvas', (list) =>
    list.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
  );
}

describe.skipIf(missing !== undefined && !process.env.CI)('the dashboard in headless Chromium', () => {
  let browser: PlaywrightBrowser;
  let full: { agent: AgentHost; server: RunningServer };
  let empty: { agent: AgentHost; server: RunningServer };

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    full = await startHost();
    await record(full.agent);
    empty = await startHost();
    browser = (await launchChromium({
      executablePath: DEFAULT_CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    })) as unknown as PlaywrightBrowser;
  });

  afterAll(async () => {
    await browser?.close();
    for (const host of [full, empty]) {
      await host?.server.close();
      await host?.agent.close();
    }
  });

  it('loads with no failed request, draws the charts, and shows the numbers of GET /v1/kpis', async () => {
    const { page, problems, text } = await openDashboard(browser, full.server.url);
    const kpis = (await (await fetch(`${full.server.url}/v1/kpis`)).json()) as Kpis;
    expect(kpis.types.docker.last100).toMatchObject({ n: 61, slaBreaches: 2, failures: 1 });
    for (const type of ['docker', 'webcontainer'] as const) {
      for (const [id, want] of Object.entries(expectedNumbers(type, kpis.types[type]))) {
        expect(await text(id), id).toBe(want);
      }
    }
    const perf = await (await fetch(`${full.server.url}/v1/perf/report`)).json();
    expect(await text('perf-count')).toBe(String(perf.count));
    expect(await text('perf-mean')).toBe(fmt(perf.meanMs));
    expect(await text('perf-max')).toBe(fmt(perf.maxMs));
    expect(await text('perf-p95')).toBe(fmt(perf.p95Ms));
    expect(await text('perf-alerts')).toBe(String(perf.alertCount));
    expect(await page.locator('[data-testid="alert-row"]').count()).toBe(2);
    expect(await page.locator('[data-testid="docker-phases"] > div').count()).toBe(4);

    // Two charts per type, drawn on canvases with a size.
    const canvases = await canvasSizes(page);
    expect(canvases).toHaveLength(4);
    for (const [w = 0, h = 0] of canvases) expect(w * h).toBeGreaterThan(10_000);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('draws in dark mode too (screenshot for a human to look at)', async () => {
    const { page, problems } = await openDashboard(browser, full.server.url, { colorScheme: 'dark' });
    expect(await canvasSizes(page)).toHaveLength(4);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-dark.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('picks up new provisions by itself, without reloading the page', async () => {
    const { page, problems, text } = await openDashboard(browser, full.server.url, { fakeClock: true });
    const before = Number(await text('webcontainer-n-all'));
    await page.evaluate(() => {
      (window as unknown as { marker: boolean }).marker = true;
    });
    await full.agent.kpis.recordMany([
      {
        sandboxType: 'webcontainer',
        durationMs: 12_345,
        status: 'sla_breach',
        timestamp: new Date('2026-11-22T09:31:00Z'),
        slaLimitMs: 10_000,
      },
    ]);

    await page.clock.runFor(5_000);
    await refreshed(page, 2);
    expect(await text('webcontainer-n-all')).toBe(String(before + 1));
    expect(await text('webcontainer-max-all')).toBe('12345.0 ms');
    expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    expect(await text('refreshed')).toMatch(/^refreshed /);
    expect(problems).toEqual([]);
  });

  it('shows an empty host as "no data", with no chart and no error', async () => {
    const { page, problems, text } = await openDashboard(browser, empty.server.url);
    for (const type of ['docker', 'webcontainer']) {
      expect(await text(`${type}-sla`)).toBe('no data');
      expect(await text(`${type}-p95-last100`)).toBe('-');
      expect(await text(`${type}-n-all`)).toBe('0');
    }
    expect(await page.locator('.no-chart').count()).toBe(4);
    expect(await canvasSizes(page)).toEqual([]);
    expect(await page.textContent('#alerts')).toBe('no alerts');
    expect(problems).toEqual([]);
  });

  it('serves every asset from the host with its content type and a same-origin CSP', async () => {
    const url = full.server.url;
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).not.toMatch(/https?:\/\//);
    for (const [asset, type] of [
      ['/dashboard/app.js', 'text/javascript'],
      ['/dashboard/charts.js', 'text/javascript'],
      ['/dashboard/app.css', 'text/css'],
      ['/dashboard/uPlot.esm.js', 'text/javascript'],
      ['/dashboard/uPlot.min.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(new RegExp(`^${type}`));
      expect(await res.text(), asset).not.toMatch(/from ['"]https?:/);
    }
    // Only the listed files: nothing else of the package (or the disk) is reachable under /dashboard/.
    for (const other of ['/dashboard/uPlot.iife.js', '/dashboard/..%2Fpackage.json', '/dashboard/']) {
      const res = await fetch(`${url}${other}`);
      expect(res.status, other).toBe(404);
    }
  });
});

interface KpiType {
  slaLimitMs: number;
  sla: 'met' | 'breached' | 'no-data';
  p95Last100?: number;
  last100: Stats;
  allTime: Stats;
}
interface Stats {
  n: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  slaBreaches: number;
  failures: number;
  successRate?: number;
}
interface Kpis {
  types: { docker: KpiType; webcontainer: KpiType };
}

interface OpenOptions {
  colorScheme?: 'light' | 'dark';
  /** Installs Playwright's fake clock, so the test moves the page's timers instead of waiting. */
  fakeClock?: boolean;
}

/** The bits of playwright's Browser the test uses (the driver's own interface takes no context options). */
interface PlaywrightBrowser {
  newContext(options: { colorScheme?: 'light' | 'dark' }): Promise<{ newPage(): Promise<PlaywrightPage> }>;
  close(): Promise<void>;
}

/** The bits of playwright's Page the test uses. */
interface PlaywrightPage {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  on(event: 'requestfailed', fn: (r: { url(): string }) => void): void;
  on(event: 'response', fn: (r: { url(): string; status(): number }) => void): void;
  goto(url: string, options: { waitUntil: 'domcontentloaded'; timeout: number }): Promise<unknown>;
  waitForFunction<A>(
    fn: (arg: A) => boolean,
    arg: A,
    options: { timeout: number; polling: number },
  ): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  textContent(selector: string): Promise<string | null>;
  locator(selector: string): { count(): Promise<number> };
  $$eval<T>(selector: string, fn: (elements: Element[]) => T): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  clock: { install(): Promise<void>; runFor(ms: number): Promise<void> };
}
