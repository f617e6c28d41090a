// The README's "first five minutes" block, run as it is against `sbx serve` on the real engine: it cannot rot.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, runNode, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingPrerequisite();
const README = new URL('../../../README.md', import.meta.url);
// Beside the app, so `@sbx/client` resolves to the built package as it would for a user.
const SCRIPT = new URL('./.readme-first-five-minutes.mjs', import.meta.url);

/** The code block that follows the `first-five-minutes` marker. */
function firstFiveMinutes(markdown: string): string {
  const block = /<!-- first-five-minutes[^>]*-->\s*```js\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('README.md has no first-five-minutes block');
  return block;
}

describe.skipIf(missing !== undefined && !process.env.CI)("README: an agent's first five minutes", () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    server = await startServe(tempDb());
  });
  afterAll(async () => {
    rmSync(SCRIPT, { force: true });
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('runs as written: streams the ticks, reads the file back, and kills the sandbox', async () => {
    writeFileSync(SCRIPT, firstFiveMinutes(readFileSync(README, 'utf8')));
    const run = await runNode([SCRIPT.pathname], {
      SBX_URL: server.base,
      SBX_TOKEN: server.token,
      SBX_IMAGE: TEST_IMAGE,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tick 1\ntick 2\ntick 3\nexit 0 \(success\) in \d+ ms\n3 ticks written\n$/);
    expect(await (await server.api('GET', '/v1/sandboxes')).json()).toEqual({ sandboxes: [] });
  });
});
