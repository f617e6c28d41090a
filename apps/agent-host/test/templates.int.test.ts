// Sandbox templates on the real engine: `sbx create --template node|python` runs the runtime as `user` in
// /home/user (writable on the default read-only rootfs), a pool of node sandboxes, an unknown template is a 400
// naming the build command, a rebuild of an unchanged template is skipped and a changed one gets a new hash.
// Needs the templates built (.ci/prereqs/templates.sh builds base and node; python only when asked).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, runCli, startServe, tempDb } from './harness.js';

/** Why the template tests cannot run (no engine, or `NAME` not built), or undefined. */
function missingTemplate(name: string): string | undefined {
  const missing = missingPrerequisite();
  if (missing) return missing;
  try {
    execFileSync('docker', ['image', 'inspect', `sbx-template/${name}:latest`], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `template ${name} is not built: run \`sudo node apps/agent-host/dist/cli.js template build ${name}\` (or bash .ci/prereqs/templates.sh)`;
  }
}

const missingNode = missingTemplate('node');
// python is not built in CI (see .ci/prereqs/templates.sh): its test runs where it is built.
const missingPython = missingTemplate('python');

function poolFile(pools: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sbx-tpl-pools-')), 'pools.json');
  writeFileSync(path, JSON.stringify(pools));
  return path;
}

describe.skipIf(missingNode !== undefined && !process.env.CI)('templates on the real engine', () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  let remote: string[];
  beforeAll(async () => {
    if (missingNode) throw new Error(missingNode);
    server = await startServe(tempDb(), [
      '--pool-file',
      poolFile([{ name: 'node', size: 2, spec: { type: 'docker', template: 'node' } }]),
    ]);
    remote = ['--url', server.base, '--token-file', server.tokenFile];
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });
  const sbx = (...args: string[]) => runCli([...args.slice(0, 1), ...remote, ...args.slice(1)]);

  it('node: node -v and npm -v as user in a writable /home/user', { timeout: 180_000 }, async () => {
    const created = await sbx('create', '--template', 'node');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = created.stdout.trim();
    try {
      expect(await sbx('exec', id, '--', 'node -v')).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^v\d+\.\d+\.\d+\n$/),
      });
      expect(await sbx('exec', id, '--', 'npm -v')).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/),
      });
      const who = await sbx('exec', id, '--', 'bash', '-c', 'id -un; pwd; echo hi > note && cat note');
      expect(who).toMatchObject({ code: 0, stdout: 'user\n/home/user\nhi\n' });
      // The rootfs stays read-only: only /tmp and the home take writes.
      expect((await sbx('exec', id, '--', 'bash', '-c', 'touch /etc/x')).code).not.toBe(0);
    } finally {
      await sbx('rm', id);
    }
  });

  it('a pool of node sandboxes hands out ready ones that run node', { timeout: 180_000 }, async () => {
    const created = await sbx('create', '--pool', 'node');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = created.stdout.trim();
    try {
      expect(await sbx('exec', id, '--', 'node -e "console.log(6*7)"')).toMatchObject({
        code: 0,
        stdout: '42\n',
      });
    } finally {
      await sbx('rm', id);
    }
  });

  it('an unknown template is a 400 naming the build command, over HTTP and on the CLI', async () => {
    const response = await server.api('POST', '/v1/sandboxes', { type: 'docker', template: 'nosuch' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('TEMPLATE_NOT_FOUND');
    expect(body.error.message).toContain('sbx template build nosuch.json');
    const cli = await sbx('create', '--template', 'nosuch');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('sbx template build nosuch.json');
  });

  it('GET /v1/templates lists node with its hash and size', async () => {
    const response = await server.api('GET', '/v1/templates');
    const { templates } = (await response.json()) as {
      templates: Array<{ name: string; hash: string; sizeBytes: number }>;
    };
    expect(templates).toContainEqual(
      expect.objectContaining({ name: 'node', hash: expect.stringMatching(/^[0-9a-f]{16}$/) }),
    );
  });

  it('a second build of an unchanged template is skipped in seconds', async () => {
    const started = performance.now();
    const build = await runCli(['template', 'build', 'node', '--json'], {
      SBX_HOME: mkdtempSync(join(tmpdir(), 'sbx-home-')),
    });
    expect(build.code).toBe(0);
    const last = JSON.parse(build.stdout.trim().split('\n').at(-1) as string);
    expect(last.build).toMatchObject({ name: 'node', skipped: true });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe.skipIf(missingPython !== undefined)('the python template on the real engine', () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    server = await startServe(tempDb());
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it("sbx create --template python, then python3 -c 'print(6*7)' prints 42 as user in /home/user", {
    timeout: 180_000,
  }, async () => {
    const remote = ['--url', server.base, '--token-file', server.tokenFile];
    const created = await runCli(['create', ...remote, '--template', 'python']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = created.stdout.trim();
    try {
      const run = await runCli([
        'exec',
        ...remote,
        id,
        '--',
        'bash',
        '-c',
        "python3 -c 'print(6*7)'; id -un; pwd",
      ]);
      expect(run).toMatchObject({ code: 0, stdout: '42\nuser\n/home/user\n' });
      const venv = await runCli([
        'exec',
        ...remote,
        id,
        '--',
        'bash',
        '-c',
        'python3 -m venv --without-pip v && v/bin/python -c "import sys; print(sys.prefix)"',
      ]);
      expect(venv).toMatchObject({ code: 0, stdout: '/home/user/v\n' });
    } finally {
      await runCli(['rm', ...remote, id]);
    }
  });
});

// Real builds need root (debootstrap, chroot); they start from the suite's minbase kept in the CI package cache.
const notRoot = process.getuid?.() === 0 ? undefined : 'template builds need root';
const CACHE =
  process.env.SBX_TEMPLATE_CACHE ?? new URL('../../../.ci-cache/templates', import.meta.url).pathname;

describe.skipIf((missingNode ?? notRoot) !== undefined)('template builds on the real engine', () => {
  const name = `sbx-int-${process.pid}`;
  afterAll(() => {
    const tags = execFileSync(
      'docker',
      ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `sbx-template/${name}`],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean);
    if (tags.length > 0) execFileSync('docker', ['image', 'rm', ...tags], { stdio: 'ignore' });
  });

  it('builds a template, skips it unchanged, and builds a new hash when its package list changes', {
    timeout: 900_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-tpl-'));
    const env = { SBX_HOME: dir, PATH: `/usr/sbin:/sbin:${process.env.PATH}` };
    const build = async (packages: string[]) => {
      const file = join(dir, `${packages.length}.json`);
      writeFileSync(file, JSON.stringify({ name, packages }));
      const run = await runCli(['template', 'build', file, '--json', '--cache-dir', CACHE], env);
      expect(run, run.stderr).toMatchObject({ code: 0 });
      return JSON.parse(run.stdout.trim().split('\n').at(-1) as string).build;
    };
    const first = await build([]);
    expect(first).toMatchObject({ name, skipped: false });
    expect(Object.keys(first.phasesMs)).toEqual(
      expect.arrayContaining(['resolve', 'unpack', 'configure', 'import', 'layer']),
    );
    const again = await build([]);
    expect(again).toMatchObject({ hash: first.hash, skipped: true });
    const changed = await build(['tini']);
    expect(changed).toMatchObject({ skipped: false });
    expect(changed.hash).not.toBe(first.hash);
    const ls = await runCli(['template', 'ls', '--json'], env);
    const listed = JSON.parse(ls.stdout).templates.find((t: { name: string }) => t.name === name);
    expect(listed).toMatchObject({ hash: changed.hash, buildMs: changed.totalMs });
    const tini = execFileSync(
      'docker',
      ['run', '--rm', '--network', 'none', `sbx-template/${name}:latest`, 'tini', '--version'],
      {
        encoding: 'utf8',
      },
    );
    expect(tini).toMatch(/^tini version/);
  });
});
