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
  startDashboardHost,
  untilText,
} from './dashboard-harness.js';

// The dashboard's split by engine runtime (a table per type) and its runtime picker, in real Chromium.

/** `count` docker provisionings on `runtime` (none: a row from before runtimes were recorded), one a minute. */
function on(runtime: string | undefined, count: number, baseMs: number, failed = 0): ProvisionResult[] {
  const attributes: Record<string, string> = { hostId: 'host-a' };
  if (runtime !== undefined) attributes.runtime = runtime;
  return Array.from({ length: count }, (_, i) => ({
    sandboxType: 'docker' as const,
    durationMs: baseMs + i,
    status: i < failed ? ('sla_breach' as const) : ('ok' as const),
    timestamp: new Date(Date.parse('2026-11-22T09:00:00Z') + i * 60_000),
    attributes,
    ...(i < failed ? { error: { name: 'BootstrapError', message: 'x', code: 'START_FAILED' } } : {}),
  }));
}

const cells = (page: PlaywrightPage, testid: string) =>
  page.$$eval(`[data-testid="${testid}"] td`, (list) => list.map((td) => td.textContent));

describe.skipIf(CHROMIUM_MISSING !== undefined && !process.env.CI)(
  'the dashboard split by engine runtime in headless Chromium',
  () => {
    let browser: PlaywrightBrowser;
    let agent: AgentHost;
    let server: RunningServer;

    beforeAll(async () => {
      ({ agent, server } = await startDashboardHost());
      await agent.kpis.recordMany([
        ...on('runc', 20, 200),
        ...on('runsc', 10, 450, 1),
        ...on(undefined, 4, 900),
      ]);
      browser = await launchTestChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await agent?.close();
    });

    const open = (path: string) => openDashboard(browser, server.url, { path });
    it('shows a row per runtime with its own n, p50, P95 and verdict, and narrows to the runtime picked', async () => {
      const { page, problems } = await open('/');
      const options = await page.$$eval('[data-testid="runtime-picker"] option', (list) =>
        list.map((o) => [(o as HTMLOptionElement).value, o.textContent]),
      );
      expect(options).toEqual([
        ['', 'every runtime'],
        ['runc', 'runc'],
        ['runsc', 'runsc'],
      ]);
      const { types } = (await (await fetch(`${server.url}/v1/kpis`)).json()) as Snapshot;
      const runc = types.docker.byRuntime.runc;
      if (!runc) throw new Error('no runc in byRuntime');
      expect(await cells(page, 'docker-runtime-runc')).toEqual([
        'runc',
        '20',
        `${runc.last100.p50Ms.toFixed(1)} ms`,
        `${(runc.verdict.p95Ms as number).toFixed(1)} ms`,
        'met',
      ]);
      // One failure in ten holds runsc's P95 rank: breached, while the type's verdict is met.
      expect(await cells(page, 'docker-runtime-runsc')).toEqual([
        'runsc',
        '10',
        `${types.docker.byRuntime.runsc?.last100.p50Ms.toFixed(1)} ms`,
        '∞ (failed)',
        'breached (failures)',
      ]);
      expect(await page.textContent('[data-testid="docker-sla"]')).toBe('SLA met');
      expect(await page.textContent('[data-testid="webcontainer-runtimes"]')).toBe(
        'no engine runtime recorded',
      );
      expect(await page.textContent('[data-testid="docker-n-last100"]')).toBe('34');

      await page.selectOption('[data-testid="runtime-picker"]', 'runsc');
      await untilText(page, 'docker-n-last100', '10');
      expect(await page.evaluate(() => location.search)).toBe('?runtime=runsc');
      expect(await page.textContent('[data-testid="docker-sla"]')).toBe('SLA breached (failures)');
      expect(await page.$$eval('[data-testid="docker-runtimes"] tbody tr', (rows) => rows.length)).toBe(1);
      // The picker still offers every recorded runtime.
      expect(await page.$$eval('[data-testid="runtime-picker"] option', (list) => list.length)).toBe(3);
      expect(problems).toEqual([]);
    });

    it('opens on the runtime and host named in the address', async () => {
      const { page, problems } = await open('/?host=host-a&runtime=runc');
      expect(await page.inputValue('[data-testid="runtime-picker"]')).toBe('runc');
      expect(await page.inputValue('[data-testid="host-picker"]')).toBe('host-a');
      expect(await page.textContent('[data-testid="docker-n-all"]')).toBe('20');
      expect(await page.textContent('[data-testid="docker-sla"]')).toBe('SLA met');
      expect(problems).toEqual([]);
    });
  },
);

interface Snapshot {
  types: {
    docker: {
      byRuntime: Record<string, { last100: { p50Ms: number }; verdict: { p95Ms: number | '+Inf' } }>;
    };
  };
}
