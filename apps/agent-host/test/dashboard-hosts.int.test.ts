import type { ProvisionResult } from '@sbx/timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHost } from '../src/compose/open-agent-host.js';
import type { RunningServer } from '../src/http/start-server.js';
import {
  CHROMIUM_MISSING,
  launchTestChromium,
  openDashboard,
  type PlaywrightBrowser,
  startDashboardHost,
  untilText,
} from './dashboard-harness.js';

// The dashboard of a fleet (several agent hosts recording into one database): its host picker, in real Chromium.

/** `count` docker provisionings measured by `hostId`, one a minute. */
function measuredBy(hostId: string, count: number, baseMs: number): ProvisionResult[] {
  return Array.from({ length: count }, (_, i) => ({
    sandboxType: 'docker' as const,
    durationMs: baseMs + i,
    status: 'ok' as const,
    timestamp: new Date(Date.parse('2026-11-22T09:00:00Z') + i * 60_000),
    attributes: { hostId },
  }));
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);

describe.skipIf(CHROMIUM_MISSING !== undefined && !process.env.CI)(
  'the dashboard of a fleet in headless Chromium',
  () => {
    let browser: PlaywrightBrowser;
    let agent: AgentHost;
    let server: RunningServer;

    beforeAll(async () => {
      ({ agent, server } = await startDashboardHost());
      await agent.kpis.recordMany([...measuredBy('host-a', 30, 100), ...measuredBy('host-b', 10, 500)]);
      browser = await launchTestChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await agent?.close();
    });

    const open = (path: string) => openDashboard(browser, server.url, { path });
    const allTime = async (query: string) =>
      ((await (await fetch(`${server.url}/v1/kpis${query}`)).json()) as Snapshot).types.docker.allTime;

    it('lists the hosts of the database, shows the fleet first and one host once picked', async () => {
      const { page, problems, text } = await open('/');
      const options = await page.$$eval('[data-testid="host-picker"] option', (list) =>
        list.map((o) => [(o as HTMLOptionElement).value, o.textContent]),
      );
      expect(options).toEqual([
        ['', 'whole fleet'],
        ['host-a', 'host-a'],
        ['host-b', 'host-b'],
      ]);
      expect(await text('docker-n-all')).toBe('40');
      await page.selectOption('[data-testid="host-picker"]', 'host-b');
      await untilText(page, 'docker-n-all', '10');
      const b = await allTime('?host=host-b');
      expect(b).toMatchObject({ n: 10, maxMs: 509 });
      expect(await text('docker-max-all')).toBe(fmt(b?.maxMs));
      expect(await text('docker-n-last100')).toBe('10');
      expect(await page.evaluate(() => location.search)).toBe('?host=host-b');
      expect(problems).toEqual([]);
    });

    it('opens on the host named in the address, with its all-time figures', async () => {
      const { page, problems, text } = await open('/?host=host-a');
      expect(await page.inputValue('[data-testid="host-picker"]')).toBe('host-a');
      const a = await allTime('?host=host-a');
      expect(a?.n).toBe(30);
      expect(await text('docker-n-all')).toBe('30');
      expect(await text('docker-p50-all')).toBe(fmt(a?.p50Ms));
      expect(problems).toEqual([]);
    });

    it('shows dashes, not an error, for a snapshot without all-time figures', async () => {
      const { page, problems, text } = await open('/');
      // An older host answers one host's view with `allTime: null`: the page must carry on.
      await page.route('**/v1/kpis*', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as Snapshot;
        body.types.docker.allTime = null;
        await route.fulfill({ response, json: body });
      });
      await page.selectOption('[data-testid="host-picker"]', 'host-a');
      await untilText(page, 'docker-n-all', '-');
      expect(await text('docker-n-last100')).toBe('30');
      expect(await text('docker-p95-all')).toBe('-');
      expect(problems).toEqual([]);
    });
  },
);

interface Snapshot {
  types: { docker: { allTime: { n: number; maxMs?: number; p50Ms?: number } | null } };
}
