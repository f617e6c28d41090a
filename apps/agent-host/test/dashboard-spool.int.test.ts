import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHost } from '../src/compose/open-agent-host.js';
import type { RunningServer } from '../src/http/start-server.js';
import {
  CHROMIUM_MISSING,
  launchTestChromium,
  openDashboard,
  type PlaywrightBrowser,
  startDashboardHost,
} from './dashboard-harness.js';

// The dashboard while the database is away (issue #29): its SQLite file locked by another connection, a result
// spooled; a banner says so until the spool is flushed. In real Chromium.

// better-sqlite3 is the store's dependency: the lock holder opens the file through the store's copy.
const Database = createRequire(new URL('../../../packages/store/package.json', import.meta.url))(
  'better-sqlite3',
) as new (
  file: string,
) => { exec(sql: string): void; close(): void };

const bannerHidden = () => (document.getElementById('store-banner') as HTMLElement).hidden;

describe.skipIf(CHROMIUM_MISSING !== undefined && !process.env.CI)(
  'the dashboard while results are spooled',
  () => {
    let browser: PlaywrightBrowser;
    let agent: AgentHost;
    let server: RunningServer;

    beforeAll(async () => {
      ({ agent, server } = await startDashboardHost());
      browser = await launchTestChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await agent?.close();
    });

    it('shows a banner with the spool depth while the database is locked, and hides it once flushed', async () => {
      const { page, problems } = await openDashboard(browser, server.url);
      expect(await page.evaluate(bannerHidden)).toBe(true);

      const holder = new Database(agent.config.dbPath);
      holder.exec('BEGIN EXCLUSIVE');
      try {
        await agent.host.recordExternal({
          sandboxType: 'webcontainer',
          durationMs: 120,
          status: 'ok',
          timestamp: new Date(),
        });
        expect(agent.storeHealth()).toMatchObject({ status: 'degraded', spooled: 1 });
        // The next refresh (every 5 s) shows it; no reload, so no request of the page is cut short.
        await page.waitForFunction(
          () => !(document.getElementById('store-banner') as HTMLElement).hidden,
          undefined,
          {
            timeout: 15_000,
            polling: 100,
          },
        );
        expect(await page.textContent('[data-testid="store-banner"]')).toMatch(
          /^1 result\(s\) are spooled on this host \(the oldest \d+ s ago\): the database is not taking writes/,
        );
      } finally {
        holder.exec('COMMIT');
        holder.close();
      }
      expect(await agent.drainStore(10_000)).toBe(0);
      expect(await agent.kpis.count('webcontainer')).toBe(1);
      // And the refresh after the flush hides it.
      await page.waitForFunction(
        () => (document.getElementById('store-banner') as HTMLElement).hidden,
        undefined,
        {
          timeout: 15_000,
          polling: 100,
        },
      );
      expect(problems).toEqual([]);
    });
  },
);
