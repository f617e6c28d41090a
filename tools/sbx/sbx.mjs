#!/usr/bin/env node
// `pnpm sbx ...` from the repository root: builds @sbx/agent-host and what it depends on, then runs its CLI in
// this process. It is a bin (linked into the root's node_modules/.bin) rather than a package.json script
// because pnpm prints its "> sbx ..." banner on stdout before any script, which would corrupt `--json`
// output; for the same reason turbo's own output goes to stderr.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('../../', import.meta.url);
const turbo = createRequire(new URL('package.json', root)).resolve('turbo/bin/turbo');
const build = spawnSync(
  process.execPath,
  [turbo, 'run', 'build', '--filter=@sbx/agent-host...', '--output-logs=errors-only'],
  { cwd: root, stdio: ['ignore', process.stderr, process.stderr] },
);
if (build.error !== undefined || build.status !== 0) {
  process.stderr.write(`sbx: building the CLI failed${build.error ? `: ${build.error.message}` : ''}\n`);
  process.exit(build.status ?? 1);
}
await import(new URL('apps/agent-host/dist/cli.js', root).href);
