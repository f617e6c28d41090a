import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingChromium } from '../../../test-support/missing-service.js';
import { resolveConfig } from '../src/compose/config.js';
import { type AgentHost, openAgentHost } from '../src/compose/open-agent-host.js';
import { createApp } from '../src/http/create-app.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import {
  CHROMIUM_ARGS,
  DEFAULT_CHROMIUM_PATH,
  launchChromium,
} from '../src/kinds/webcontainer/driver/index.js';

// What the dashboard's Chromium tests share: a host on a fresh SQLite file, the browser, a page opened with
// everything that goes wrong on it collected, and the bits of Playwright's types they use.

/** Why the dashboard cannot be tested here (no Chromium), or undefined. CI fails on it; a laptop skips. */
export const CHROMIUM_MISSING = existsSync(DEFAULT_CHROMIUM_PATH)
  ? undefined
  : missingChromium(DEFAULT_CHROMIUM_PATH);

const silent = { warn: () => {}, error: () => {} };

/** An agent host on a fresh SQLite file and its server on loopback. */
export async function startDashboardHost(): Promise<{ agent: AgentHost; server: RunningServer }> {
  const db = join(mkdtempSync(join(tmpdir(), 'sbx-dash-')), 'sbx.db');
  const agent = await openAgentHost(resolveConfig({ db }, {}), silent);
  const server = await startServer(createApp(agent), { host: '127.0.0.1', port: 0 });
  return { agent, server };
}

/** Headless Chromium with the project's flags; throws what is missing first. */
export async function launchTestChromium(): Promise<PlaywrightBrowser> {
  if (CHROMIUM_MISSING) throw new Error(CHROMIUM_MISSING);
  return (await launchChromium({
    executablePath: DEFAULT_CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  })) as unknown as PlaywrightBrowser;
}

export interface OpenOptions {
  /** The page's path and query (default `/`). */
  path?: string;
  colorScheme?: 'light' | 'dark';
  /** Installs Playwright's fake clock, so the test moves the page's timers instead of waiting. */
  fakeClock?: boolean;
  width?: number;
}

/**
 * Opens the dashboard at `url` (1366x768 unless told), waits for its first refresh, and collects every console
 * error, page error, failed request and HTTP error it meets in `problems`.
 */
export async function openDashboard(browser: PlaywrightBrowser, url: string, options: OpenOptions = {}) {
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
  await page.setViewportSize({ width: options.width ?? 1366, height: 768 });
  if (options.fakeClock) await page.clock.install();
  await page.goto(`${url}${options.path ?? '/'}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  await refreshed(page, 1);
  return { page, problems, text: (id: string) => page.textContent(`[data-testid="${id}"]`) };
}

/** Resolves once the page has drawn `times` snapshots. */
export function refreshed(page: PlaywrightPage, times: number): Promise<unknown> {
  return page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) >= n, times, {
    timeout: 15_000,
    polling: 50,
  });
}

/** Resolves once the element `testid` reads `text`. */
export function untilText(page: PlaywrightPage, testid: string, text: string): Promise<unknown> {
  return page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === want,
    [testid, text] as const,
    { timeout: 15_000, polling: 50 },
  );
}

/** The bits of playwright's Browser the tests use (the driver's own interface takes no context options). */
export interface PlaywrightBrowser {
  newContext(options: { colorScheme?: 'light' | 'dark' }): Promise<{ newPage(): Promise<PlaywrightPage> }>;
  close(): Promise<void>;
}

export interface PlaywrightRoute {
  fetch(): Promise<{ json(): Promise<unknown> }>;
  fulfill(options: { response: unknown; json: unknown }): Promise<void>;
}

/** The bits of playwright's Page the tests use. */
export interface PlaywrightPage {
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
  evaluate<T, A>(fn: (arg: A) => T, arg: A): Promise<T>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  textContent(selector: string): Promise<string | null>;
  inputValue(selector: string): Promise<string>;
  selectOption(selector: string, value: string): Promise<unknown>;
  route(url: string, handler: (route: PlaywrightRoute) => Promise<void>): Promise<void>;
  locator(selector: string): { count(): Promise<number> };
  $$eval<T>(selector: string, fn: (elements: Element[]) => T): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  clock: { install(): Promise<void>; runFor(ms: number): Promise<void> };
}
