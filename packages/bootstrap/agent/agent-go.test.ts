// The in-sandbox agent's Go tests (`go test ./...` in this module) as part of `pnpm test`: this fails when any
// of them fails, or when the Go toolchain is missing (install golang-go: .ci/prereqs/go.sh).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const moduleDir = fileURLToPath(new URL('.', import.meta.url));
const cache = fileURLToPath(new URL('../.cache/', import.meta.url));

function goTest(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'go',
      ['test', '-count=1', './...'],
      {
        cwd: moduleDir,
        timeout: 300_000,
        maxBuffer: 16 << 20,
        env: {
          ...process.env,
          GOCACHE: process.env.GOCACHE || `${cache}go-build`,
          GOPATH: process.env.GOPATH || `${cache}gopath`,
          GOPROXY: 'off',
          GOTOOLCHAIN: 'local',
          CGO_ENABLED: '0',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
        resolve({
          code,
          output: missing
            ? "the Go toolchain is missing: install Debian's golang-go (.ci/prereqs/go.sh)"
            : `${stdout}${stderr}`,
        });
      },
    );
  });
}

it('passes go test ./... in packages/bootstrap/agent', { timeout: 320_000 }, async () => {
  const { code, output } = await goTest();
  expect(output).not.toMatch(/^(FAIL|panic:)/m);
  expect(code, output).toBe(0);
  // Every package with tests ran (a package that stops compiling its tests shows here too).
  for (const pkg of ['cmd/sbx-agent', 'frame', 'proc', 'proto', 'server', 'user']) {
    expect(output).toMatch(
      new RegExp(`^ok\\s+sbx\\.dev/agent/(internal/)?${pkg.replace('/', '\\/')}\\s`, 'm'),
    );
  }
});
