import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProvisionResult } from '@sbx/timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHost } from '../src/compose/open-agent-host.js';
import type { RunningServer } from '../src/http/start-server.js';
import {
  CHROMIUM_MISSING,
  launchTestChromium,
  openDashboard,
  type PlaywrightBrowser,
  type PlaywrightPage,
  refreshed,
  startDashboardHost,
} from './dashboard-harness.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

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
  // Failed by their callers' doing (a command that exits at once): a count of their own, never judged.
  for (let i = 0; i < 2; i++) {
    out.push({
      sandboxType: 'docker',
      durationMs: 300 + i,
      status: 'sla_breach',
      timestamp: new Date(start + (40 + i) * 60_000 + 30_000),
      slaLimitMs: 30_000,
      error: { name: 'BootstrapError', message: 'exited', code: 'READINESS_FAILED', cause: 'caller' },
    });
  }
  // Cancelled by their callers: shown as a count of their own, never judged.
  for (let i = 0; i < 3; i++) {
    out.push({
      sandboxType: 'docker',
      durationMs: 700 + i,
      status: 'sla_breach',
      timestamp: new Date(start + (30 + i) * 60_000 + 30_000),
      slaLimitMs: 30_000,
      error: { name: 'BootstrapError', message: 'provisioning was aborted', code: 'CANCELLED' },
    });
  }
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

/** 5 provisionings, every one failed in a few ms: the case the old dashboard showed as a green "SLA met". */
function everyOneFailed(): ProvisionResult[] {
  return Array.from({ length: 5 }, (_, i) => ({
    sandboxType: 'docker' as const,
    durationMs: 3 + i,
    status: 'sla_breach' as const,
    timestamp: new Date(Date.parse('2026-11-22T09:00:00Z') + i * 60_000),
    slaLimitMs: 30_000,
    error: {
      name: 'BootstrapError',
      message: 'image sbx-test/nope:1 not found locally',
      code: 'IMAGE_NOT_FOUND',
    },
  }));
}

/** Docker provisionings from 0.05 ms to 100 s: six orders of magnitude on one axis. */
function ordersOfMagnitude(): ProvisionResult[] {
  return Array.from({ length: 60 }, (_, i) => {
    const durationMs = 0.05 * 10 ** ((i % 13) * 0.5);
    return {
      sandboxType: 'docker' as const,
      durationMs,
      status: durationMs > 30_000 ? ('sla_breach' as const) : ('ok' as const),
      timestamp: new Date(Date.parse('2026-11-22T09:00:00Z') + i * 20_000),
      slaLimitMs: 30_000,
    };
  });
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

/** Formats like the page: one decimal and ` ms`, a failure at the P95 rank as such, or a dash when the API omits the number. */
const fmt = (v: number | '+Inf' | undefined) =>
  v === undefined ? '-' : v === '+Inf' ? '∞ (failed)' : `${v.toFixed(1)} ms`;

/** What each number on a type's card must read, computed from `GET /v1/kpis`. */
function expectedNumbers(type: string, k: KpiType): Record<string, string> {
  const rate = k.last100.successRate;
  const v = k.verdict;
  return {
    [`${type}-sla`]:
      v.status === 'no-data' ? 'no data' : v.status === 'met' ? 'SLA met' : `SLA breached (${v.reason})`,
    [`${type}-sla-limit`]: fmt(k.slaLimitMs),
    [`${type}-p95-sla`]: fmt(v.p95Ms),
    [`${type}-p50-last100`]: fmt(k.last100.p50Ms),
    [`${type}-p95-last100`]: fmt(k.last100.p95Ms),
    [`${type}-p99-last100`]: fmt(k.last100.p99Ms),
    [`${type}-n-last100`]: String(k.last100.n),
    [`${type}-breaches-failures`]: `${k.last100.slaBreaches} / ${k.last100.failures}`,
    [`${type}-cancelled`]: String(k.last100.cancelled),
    [`${type}-caller-failures`]: String(k.last100.callerFailures),
    [`${type}-success-rate`]: rate === undefined ? '-' : `${(rate * 100).toFixed(1)} %`,
    [`${type}-n-all`]: String(k.allTime.n),
    [`${type}-p50-all`]: fmt(k.allTime.p50Ms),
    [`${type}-p95-all`]: fmt(k.allTime.p95Ms),
    [`${type}-p99-all`]: fmt(k.allTime.p99Ms),
    [`${type}-max-all`]: fmt(k.allTime.maxMs),
    [`${type}-failures-all`]: String(k.allTime.failures),
    [`${type}-cancelled-all`]: String(k.allTime.cancelled),
    [`${type}-caller-failures-all`]: String(k.allTime.callerFailures),
  };
}

/** A label of the timeline's duration axis in milliseconds: `100 s`, `10 ms`, `0.1 ms`, `20 µs`. */
function labelMs(label: string): number {
  const m = /^([0-9.]+) (s|ms|µs)$/.exec(label);
  if (!m) throw new Error(`not a duration label: ${JSON.stringify(label)}`);
  return Number(m[1]) * { s: 1_000, ms: 1, µs: 0.001 }[m[2] as 's' | 'ms' | 'µs'];
}

async function canvasSizes(page: PlaywrightPage): Promise<number[][]> {
  return page.$$eval('canvas', (list) =>
    list.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
  );
}

describe.skipIf(CHROMIUM_MISSING !== undefined && !process.env.CI)(
  'the dashboard in headless Chromium',
  () => {
    let browser: PlaywrightBrowser;
    let full: { agent: AgentHost; server: RunningServer };
    let empty: { agent: AgentHost; server: RunningServer };
    let failing: { agent: AgentHost; server: RunningServer };
    let wide: { agent: AgentHost; server: RunningServer };

    beforeAll(async () => {
      full = await startDashboardHost();
      await record(full.agent);
      empty = await startDashboardHost();
      failing = await startDashboardHost();
      await failing.agent.kpis.recordMany(everyOneFailed());
      wide = await startDashboardHost();
      await wide.agent.kpis.recordMany(ordersOfMagnitude());
      browser = await launchTestChromium();
    });

    afterAll(async () => {
      await browser?.close();
      for (const host of [full, empty, failing, wide]) {
        await host?.server.close();
        await host?.agent.close();
      }
    });

    it('loads with no failed request, draws the charts, and shows the numbers of GET /v1/kpis', async () => {
      const { page, problems, text } = await openDashboard(browser, full.server.url);
      const kpis = (await (await fetch(`${full.server.url}/v1/kpis`)).json()) as Kpis;
      expect(kpis.types.docker.last100).toMatchObject({
        n: 61,
        slaBreaches: 2,
        failures: 1,
        cancelled: 3,
        callerFailures: 2,
      });
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

    it('says "SLA breached (failures)" when every provisioning failed, next to a 0.0 % success rate', async () => {
      const { problems, text } = await openDashboard(browser, failing.server.url);
      expect(await text('docker-sla')).toBe('SLA breached (failures)');
      expect(await text('docker-success-rate')).toBe('0.0 %');
      expect(await text('docker-p95-sla')).toBe('∞ (failed)');
      expect(await text('docker-verdict-why')).toMatch(/is a failure .*5 breached \(5 failed\), 0 allowed/);
      expect(await text('docker-p95-last100')).toBe('-'); // no ready provisioning, so no latency
      expect(await text('webcontainer-sla')).toBe('no data');
      expect(problems).toEqual([]);
    });

    it('labels a timeline spanning six orders of magnitude with increasing durations, never "0 ms"', async () => {
      const { page, problems } = await openDashboard(browser, wide.server.url);
      const labels = (await page.evaluate(() =>
        (document.querySelector('[data-testid="docker-time"]') as HTMLElement).dataset.yLabels?.split('|'),
      )) as string[];
      expect(labels.length).toBeGreaterThanOrEqual(3);
      const values = labels.map(labelMs);
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
      expect(values[0]).toBeLessThanOrEqual(0.1);
      expect(values[values.length - 1]).toBeGreaterThanOrEqual(100_000);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-orders-of-magnitude.png'), fullPage: true });
      expect(problems).toEqual([]);
    });

    it('draws cards, histogram and timeline from one window, with the P95 line against the SLA', async () => {
      const { page, text } = await openDashboard(browser, full.server.url);
      for (const type of ['docker', 'webcontainer']) {
        const n = Number(await text(`${type}-n-last100`));
        const [hist, time] = await page.evaluate((t) => {
          const data = (id: string) =>
            (document.querySelector(`[data-testid="${t}-${id}"]`) as HTMLElement).dataset;
          return [
            { n: data('hist').n, failed: data('hist').failed },
            JSON.parse(data('time').series ?? '{}') as { p95: number; failed: number },
          ];
        }, type);
        expect(Number(hist.n) + Number(hist.failed), type).toBe(n);
        expect(time.p95, type).toBe(n);
        expect(time.failed, type).toBe(Number((await text(`${type}-breaches-failures`))?.split(' / ')[1]));
      }
    });

    it('fits a 420 px wide screen: nothing clipped, nothing scrolls sideways', async () => {
      const { page, problems } = await openDashboard(browser, full.server.url, { width: 420 });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        overflowing: [...document.querySelectorAll('.stat, canvas, section.card, .badge')]
          .map((e) => e.getBoundingClientRect())
          .filter((r) => r.right > window.innerWidth + 0.5 || r.left < -0.5).length,
        clippedValues: [...document.querySelectorAll('.stat .value')].filter(
          (e) => e.scrollWidth > e.clientWidth,
        ).length,
      }));
      expect(layout).toEqual({ scrollWidth: 420, overflowing: 0, clippedValues: 0 });
      expect(await canvasSizes(page)).toHaveLength(4);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-420px.png'), fullPage: true });
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
        ['/dashboard/format.js', 'text/javascript'],
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
  },
);

interface KpiType {
  slaLimitMs: number;
  sla: 'met' | 'breached' | 'no-data';
  verdict: {
    status: 'met' | 'breached' | 'no-data';
    reason?: 'latency' | 'failures';
    p95Ms?: number | '+Inf';
    n: number;
    cancelled: number;
  };
  p95Last100?: number;
  last100: Stats;
  allTime: Stats;
  trend: { timestamps: number[] };
}
interface Stats {
  n: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  slaBreaches: number;
  failures: number;
  cancelled: number;
  callerFailures: number;
  successRate?: number;
}
interface Kpis {
  types: { docker: KpiType; webcontainer: KpiType };
}
