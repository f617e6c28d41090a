#!/usr/bin/env node
// Builds the in-sandbox agent (agent/, Go, standard library only) into dist/agent/linux-x64/sbx-agent: one
// static binary (CGO_ENABLED=0), injected read-only into every sandbox. Run by the package's `build`.
// A missing Go toolchain is one line naming the Debian package, and a non-zero exit. Go's build cache and
// module path live under the package's .cache/ (HOME may be read-only), unless GOCACHE/GOPATH are set.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkg, 'dist', 'agent', 'linux-x64', 'sbx-agent');
const cache = join(pkg, '.cache');

/** The environment `go` runs with: offline, static, linux/amd64, caches under the package. */
export function goEnv(env = process.env) {
  return {
    ...env,
    GOCACHE: env.GOCACHE || join(cache, 'go-build'),
    GOPATH: env.GOPATH || join(cache, 'gopath'),
    GOPROXY: 'off',
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
    GOOS: 'linux',
    GOARCH: 'amd64',
  };
}

function main() {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    console.error(
      "sbx-agent: the Go toolchain is missing: install Debian's golang-go (apt-get install golang-go)",
    );
    process.exit(1);
  }
  mkdirSync(dirname(out), { recursive: true });
  const started = Date.now();
  const build = spawnSync('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', out, './cmd/sbx-agent'], {
    cwd: join(pkg, 'agent'),
    env: goEnv(),
    stdio: 'inherit',
  });
  if (build.error || build.status !== 0) {
    console.error(`sbx-agent: go build failed (${build.error?.message ?? `exit ${build.status}`})`);
    process.exit(1);
  }
  const size = statSync(out).size;
  console.log(
    `sbx-agent: built ${out.slice(pkg.length + 1)} (${(size / 1048576).toFixed(1)} MiB, ${version.stdout.trim().split(' ')[2]}, ${Date.now() - started} ms)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
