import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reachableFrom, readImportGraph } from '../../../tools/import-check/import-graph.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = 'apps/agent-host/src/';

describe("the library entry (import '@sbx/agent-host')", () => {
  const loaded = reachableFrom(readImportGraph(REPO), `${SRC}index.ts`);

  it('loads no CLI, HTTP or bench code', () => {
    expect(loaded.length).toBeGreaterThan(10);
    const doors = loaded
      .map((m) => m.path)
      .filter((p) => /^apps\/agent-host\/src\/(cli|http|bench)[/.]/.test(p));
    expect(doors).toEqual([]);
  });

  it('loads no commander, hono or playwright', () => {
    const externals = new Set(loaded.flatMap((m) => m.externals.map((e) => e.split('/')[0])));
    expect(externals.has('dockerode')).toBe(true);
    for (const name of ['commander', 'hono', '@hono', 'playwright-core', 'prom-client']) {
      expect([...externals].filter((e) => e === name)).toEqual([]);
    }
  });
});
