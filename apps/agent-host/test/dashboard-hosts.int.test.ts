import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProvisionResult } from '@sbx/timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { type AgentHost, openAgentHost } from '../src/sandbox/open-agent-host.js';
import { createApp } from '../src/server/create-app.js';
import { type RunningServer, startServer } from '../src/server/start-server.js';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, launchChromium } from '../src/webcontainer/index.js';

// The dashboard of a fleet (several agent hosts recording into one database): its host picker, in real Chromium.

const missing = existsSync(DEFAULT_CHROMIUM_PATH)
  ? undefined
  : `${DEFAULT_CHROMIUM_PATH} missing: apt-get install -y chromium`;
const silent = { warn: () => {}, error: () => {} };

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

describe.skipIf(missing !== undefined && !process.env.CI)(
  'the dashboard of a fleet in headless Chromium',
  () => {
    let browser: PlaywrightBrowser;
    let agent: AgentHost;
    let server: RunningServer;

    beforeAll(async () => {
      if (missing) throw new Error(missing);
      const db = join(mkdtempSync(join(tmpdir(), 'sbx-dash-hosts-')), 'sbx.db');
      agent = await openAgentHost(resolveConfig({ db }, {}), silent);
      server = await startServer(createApp(agent), { host: '127.0.0.1', port: 0 });
      await agent.kpis.recordMany([...measuredBy('host-a', 30, 100), ...measuredBy('host-b', 10, 500)]);
      browser = (await launchChromium({
        executablePath: DEFAULT_CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
      })) as unknown as PlaywrightBrowser;
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await agent?.close();
    });

    async function open(path: string) {
      const page = await (await browser.newContext({})).newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      await page.goto(`${server.url}${path}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      await refreshes(page, 1);
      const text = (id: string) => page.textContent(`[data-testid="${id}"]`);
      return { page, problems, text };
    }
    const refreshes = (page: PlaywrightPage, n: number) =>
      page.waitForFunction((want) => Number(document.body.dataset.refreshes ?? 0) >= want, n, {
        timeout: 15_000,
        polling: 50,
      });
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
      await page.waitForFunction(
        () => document.querySelector('[data-testid="docker-n-all"]')?.textContent === '10',
        undefined,
        { timeout: 15_000, polling: 50 },
      );
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
      await page.waitForFunction(
        () => document.querySelector('[data-testid="docker-n-all"]')?.textContent === '-',
        undefined,
        { timeout: 15_000, polling: 50 },
      );
      expect(await text('docker-n-last100')).toBe('30');
      expect(await text('docker-p95-all')).toBe('-');
      expect(problems).toEqual([]);
    });
  },
);

interface Snapshot {
  types: { docker: { allTime: { n: number; maxMs?: number; p50Ms?: number } | null } };
}

interface PlaywrightBrowser {
  newContext(options: object): Promise<{ newPage(): Promise<PlaywrightPage> }>;
  close(): Promise<void>;
}

interface PlaywrightRoute {
  fetch(): Promise<{ json(): Promise<unknown> }>;
  fulfill(options: { response: unknown; json: unknown }): Promise<void>;
}

interface PlaywrightPage {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  goto(url: string, options: { waitUntil: 'domcontentloaded'; timeout: number }): Promise<unknown>;
  waitForFunction<A>(
    fn: (arg: A) => boolean,
    arg: A,
    options: { timeout: number; polling: number },
  ): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
  textContent(selector: string): Promise<string | null>;
  inputValue(selector: string): Promise<string>;
  selectOption(selector: string, value: string): Promise<unknown>;
  route(url: string, handler: (route: PlaywrightRoute) => Promise<void>): Promise<void>;
  $$eval<T>(selector: string, fn: (elements: Element[]) => T): Promise<T>;
}
