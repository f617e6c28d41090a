// What `pnpm test` needs is written down once: README.md names every service and the one command that installs
// and starts them, CI runs that same command, and a test that cannot reach a service says which and how to start it.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { adminQuery } from '../../../packages/store/src/test-databases.test-support.js';
import { missingPostgres, PREREQ_SCRIPTS } from '../../../test-support/missing-service.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('the test prerequisites', () => {
  it('README names every service and one command, the one CI runs, which runs every prereqs script', () => {
    const readme = read('README.md');
    const block = /The tests \([\s\S]*?```sh\n([^`]*)```/.exec(readme);
    expect(block?.[1]).toBe('bash .ci/prereqs/all.sh && pnpm install && pnpm test\n');
    for (const service of ['Docker', 'runsc', 'sbx-test/busybox', 'Chromium', 'Prometheus', 'PostgreSQL']) {
      expect(block?.[0]).toContain(service);
    }
    const all = read('.ci/prereqs/all.sh');
    const scripts = readdirSync(new URL('.ci/prereqs/', root)).filter(
      (f) => f.endsWith('.sh') && f !== 'all.sh',
    );
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const script of scripts) expect(all).toMatch(new RegExp(`^  ${script.replace('.', '\\.')}$`, 'm'));
    for (const script of Object.values(PREREQ_SCRIPTS)) expect(scripts).toContain(script.split('/').at(-1));
    expect(read('.ci/run')).toMatch(/^bash \.ci\/prereqs\/all\.sh$/m);
  });

  it('a PostgreSQL that does not answer is named, with how to start it (and no password)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const url = `postgres://postgres:s3cret@127.0.0.1:${port}/sbx_test`;
    const error = await adminQuery('select 1', url).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `PostgreSQL does not answer at postgres://postgres:***@127.0.0.1:${port}/sbx_test (ECONNREFUSED): start it with \`bash .ci/prereqs/postgres.sh\` (or everything the tests need: \`bash .ci/prereqs/all.sh\`), or set SBX_TEST_PG_URL`,
    );
    expect(missingPostgres('not a url')).toContain('not a url');
  });
});
