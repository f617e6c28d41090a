import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BuildProgress,
  buildTemplate,
  importChanges,
  type TemplateBuilderDeps,
} from './template-builder.js';
import { resolveTemplate, TEMPLATE_RECIPE_VERSION } from './template-catalog.js';
import { parseTemplate } from './template-schema.js';

/** A fake engine and fake programs: debootstrap's second stage writes a minimal rootfs, import records it. */
function fakeDeps(present: Set<string>, root = process.getuid?.() === 0) {
  const calls: string[][] = [];
  let clock = 0;
  const deps: TemplateBuilderDeps = {
    run: async (argv) => {
      calls.push([...argv]);
      clock += 100;
      if (argv[0] === 'chroot' && argv[2] === '/debootstrap/debootstrap') {
        const rootfs = argv[1] as string;
        mkdirSync(join(rootfs, 'etc'), { recursive: true });
        writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
        writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');
      }
      if (argv[0] === 'tar' && argv.includes('-cf'))
        writeFileSync(argv[argv.indexOf('-cf') + 1] as string, '');
      if (argv[0] === 'tar' && argv.includes('-xpf')) {
        const rootfs = argv.at(-1) as string;
        mkdirSync(join(rootfs, 'etc'), { recursive: true });
        writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
        writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');
      }
      if (argv[0] === 'docker' && (argv[1] === 'import' || argv[1] === 'build'))
        present.add(argv.at(-1) as string);
    },
    imageSize: async (image) => (present.has(image) ? 1234 : undefined),
    workDir: mkdtempSync(join(tmpdir(), 'sbx-build-')),
    cacheDir: join(mkdtempSync(join(tmpdir(), 'sbx-cache-')), 'cache'),
    now: () => clock,
    wallNow: () => new Date(0),
    isRoot: () => root,
    archiveFor: () => 'http://m.example.invalid/debian',
  };
  return { deps, calls };
}

describe('buildTemplate', () => {
  it.runIf(process.getuid?.() === 0)(
    'downloads into the shared cache, unpacks, configures, imports, tags; then skips',
    async () => {
      const present = new Set<string>();
      const { deps, calls } = fakeDeps(present);
      const template = resolveTemplate('node');
      const events: BuildProgress[] = [];
      const build = await buildTemplate(template, deps, { onProgress: (p) => events.push(p) });
      expect(build).toMatchObject({ name: 'node', hash: template.hash, skipped: false, sizeBytes: 1234 });
      expect(Object.keys(build.phasesMs)).toEqual([
        'resolve',
        'download',
        'unpack',
        'configure',
        'import',
        'layer',
      ]);
      const boot = calls.filter((c) => c[0] === 'debootstrap');
      expect(boot.map((c) => c.find((a) => a === '--download-only' || a === '--foreign'))).toEqual([
        '--foreign',
      ]);
      for (const c of boot) {
        expect(c).toContain('--variant=minbase');
        expect(c).toContain(`--cache-dir=${deps.cacheDir}`);
        expect(c.at(-1)).toBe('http://m.example.invalid/debian');
      }
      // debootstrap without --include (its resolver is slow), then apt inside the rootfs, packages via the cache
      expect(boot[0]?.some((a) => a.startsWith('--include'))).toBe(false);
      const apt = calls.filter((c) => c[0] === 'chroot' && c.includes('apt-get'));
      expect(
        apt.map((c) =>
          c
            .slice(c.indexOf('apt-get') + 3)
            .filter((a) => !/^(nodejs|npm|bash|coreutils|procps|ca-certificates|tini)$/.test(a)),
        ),
      ).toEqual([
        ['update'],
        ['--download-only', '-o', 'Dpkg::Options::=--force-unsafe-io', 'install', '--no-install-recommends'],
        ['-o', 'Dpkg::Options::=--force-unsafe-io', 'install', '--no-install-recommends'],
      ]);
      expect(apt[2]).toEqual(expect.arrayContaining(['nodejs', 'npm', 'tini']));
      expect(calls.at(-1)).toEqual([
        'docker',
        'tag',
        `sbx-template/node:${template.hash}`,
        'sbx-template/node:latest',
      ]);
      expect(events.filter((e) => e.event === 'done').map((e) => e.phase)).toEqual([
        'resolve',
        'download',
        'unpack',
        'configure',
        'download',
        'configure',
        'configure',
        'import',
        'layer',
      ]);

      // The configured minbase was kept in the cache: the next template of the suite starts from it.
      expect(existsSync(join(deps.cacheDir, `minbase-bookworm-r${TEMPLATE_RECIPE_VERSION}.tar`))).toBe(true);
      calls.length = 0;
      const other = await buildTemplate(resolveTemplate('base'), deps);
      expect(other.skipped).toBe(false);
      expect(calls.some((c) => c[0] === 'debootstrap')).toBe(false);
      expect(calls[0]).toEqual([
        'tar',
        '--numeric-owner',
        '-xpf',
        join(deps.cacheDir, `minbase-bookworm-r${TEMPLATE_RECIPE_VERSION}.tar`),
        '-C',
        expect.any(String),
      ]);

      calls.length = 0;
      const again = await buildTemplate(template, deps);
      expect(again).toMatchObject({ skipped: true, sizeBytes: 1234 });
      expect(calls).toEqual([
        ['docker', 'tag', `sbx-template/node:${template.hash}`, 'sbx-template/node:latest'],
      ]);
    },
  );

  it.runIf(process.getuid?.() === 0)(
    'gives the rootfs its user and files, and builds Dockerfile steps FROM the local base',
    async () => {
      const present = new Set<string>();
      const { deps, calls } = fakeDeps(present);
      const definition = parseTemplate(
        JSON.stringify({
          name: 'x',
          files: [{ path: '/home/user/hi.txt', content: 'hi', mode: 0o600 }],
          dockerfile: 'RUN true',
        }),
        'x',
      );
      let seen = '';
      const run = deps.run;
      deps.run = async (argv, o) => {
        if (argv[1] === 'import') {
          const root = o.pipeFrom?.[3] as string;
          seen = readFileSync(join(root, 'etc/passwd'), 'utf8');
          expect(statSync(join(root, 'home/user')).uid).toBe(1000);
          expect(statSync(join(root, 'home/user/hi.txt')).mode & 0o777).toBe(0o600);
          expect(argv.at(-1)).toBe('sbx-template/x:abc-rootfs');
        }
        if (argv[1] === 'build') expect(argv).toContain('--pull=false');
        await run(argv, o);
      };
      await buildTemplate({ definition, source: 'x', hash: 'abc' }, deps);
      expect(seen).toContain('user:x:1000:1000:user:/home/user:/bin/bash');
      expect(calls.some((c) => c[1] === 'build')).toBe(true);
      expect(calls).toContainEqual(['docker', 'image', 'rm', 'sbx-template/x:abc-rootfs']);
    },
  );

  it('says root is needed, before running anything, when not root', async () => {
    const { deps, calls } = fakeDeps(new Set(), false);
    await expect(buildTemplate(resolveTemplate('base'), deps)).rejects.toThrow(
      'need root: run it as root (sudo sbx template build base)',
    );
    expect(calls).toEqual([]);
  });

  it('imports with CMD, ENV, USER, WORKDIR and labels, quoting values', () => {
    const t = parseTemplate(JSON.stringify({ name: 'x', env: { A: 'a "b" $c' } }), 'x');
    expect(importChanges(t, 'h')).toEqual([
      'CMD ["sleep","infinity"]',
      'ENV HOME="/home/user"',
      'ENV A="a \\"b\\" \\$c"',
      'USER user',
      'WORKDIR /home/user',
      'LABEL sbx.template="x" sbx.template.hash="h" sbx.template.ready="running"',
      'LABEL sbx.template.home="/home/user" sbx.template.uid="1000"',
    ]);
  });
});
