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

describe.skipIf(missing !== undefined && !process.env.CI)('the dashboard in headless Chromium', () => {
  let agent: AgentHost;
  let server: RunningServer;

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    const db = join(mkdtempSync(join(tmpdir(), 'sbx-dash-')), 'sbx.db');
    agent = await openAgentHost(resolveConfig({ db }, {}), silent);
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
    server = await startServer(createApp(agent), { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await agent?.close();
  });

  it('loads with no failed request, draws the charts, and shows the numbers of GET /v1/kpis', async () => {
    const browser = await launchChromium({ executablePath: DEFAULT_CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      const p = page as unknown as PlaywrightPage;
      p.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
      p.on('response', (r) => {
        if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
      });
      await p.setViewportSize({ width: 1366, height: 768 });
      await page.goto(`${server.url}/`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1, undefined, {
        timeout: 15_000,
        polling: 50,
      });

      const kpis = await (await fetch(`${server.url}/v1/kpis`)).json();
      const text = (id: string) => p.textContent(`[data-testid="${id}"]`);
      const fmt = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);
      for (const type of ['docker', 'webcontainer']) {
        const k = kpis.types[type];
        expect(await text(`${type}-p95-last100`)).toBe(fmt(k.p95Last100));
        expect(await text(`${type}-p50-last100`)).toBe(fmt(k.last100.p50Ms));
        expect(await text(`${type}-p99-last100`)).toBe(fmt(k.last100.p99Ms));
        expect(await text(`${type}-p95-all`)).toBe(fmt(k.allTime.p95Ms));
        expect(await text(`${type}-n-all`)).toBe(String(k.allTime.n));
        expect(await text(`${type}-breaches-failures`)).toBe(
          `${k.last100.slaBreaches} / ${k.last100.failures}`,
        );
        expect(await text(`${type}-sla`)).toBe(`SLA ${k.sla}`);
      }
      expect(kpis.types.docker.last100).toMatchObject({ n: 61, slaBreaches: 2, failures: 1 });
      const perf = await (await fetch(`${server.url}/v1/perf/report`)).json();
      expect(await text('perf-count')).toBe(String(perf.count));
      expect(await text('perf-p95')).toBe(fmt(perf.p95Ms));
      expect(await text('perf-alerts')).toBe(String(perf.alertCount));
      expect(await p.locator('[data-testid="alert-row"]').count()).toBe(2);

      // Two charts per type, drawn on canvases with a size.
      const canvases = await p.$$eval('canvas', (list) =>
        list.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
      );
      expect(canvases).toHaveLength(4);
      for (const [w = 0, h = 0] of canvases) expect(w * h).toBeGreaterThan(10_000);

      mkdirSync(ARTIFACTS, { recursive: true });
      await p.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('serves every asset from the host, with a same-origin CSP', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [
      '/dashboard/app.js',
      '/dashboard/app.css',
      '/dashboard/uPlot.esm.js',
      '/dashboard/uPlot.min.css',
    ]) {
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status, asset).toBe(200);
    }
    expect((await fetch(`${server.url}/dashboard/../package.json`)).status).toBe(404);
  });
});

/** The bits of playwright's Page the test uses beyond the driver's own interface. */
interface PlaywrightPage {
  on(event: 'requestfailed', fn: (r: { url(): string }) => void): void;
  on(event: 'response', fn: (r: { url(): string; status(): number }) => void): void;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  textContent(selector: string): Promise<string | null>;
  locator(selector: string): { count(): Promise<number> };
  $$eval<T>(selector: string, fn: (elements: Element[]) => T): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}
