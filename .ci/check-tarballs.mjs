// Checks packed tarballs (`pnpm pack` output) for what a stranger would trip over, prints one line per
// tarball (files, packed and unpacked size) and exits 1 listing every problem found.
// Usage: node .ci/check-tarballs.mjs <repo root> <tarball>...
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const [root, ...tarballs] = process.argv.slice(2);
if (root === undefined || tarballs.length === 0) {
  console.error('usage: node .ci/check-tarballs.mjs <repo root> <tarball>...');
  process.exit(2);
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function check(tarball) {
  const problems = [];
  const scratch = mkdtempSync(join(tmpdir(), 'sbx-tarball-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', scratch]);
    const base = join(scratch, 'package');
    const files = walk(base).map((file) => relative(base, file));
    const has = new Set(files);
    const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8'));
    const unpacked = files.reduce((sum, file) => sum + statSync(join(base, file)).size, 0);
    console.log(
      `${pkg.name}@${pkg.version}: ${files.length} files, ${statSync(tarball).size} B packed, ${unpacked} B unpacked`,
    );

    for (const file of ['package.json', 'README.md', 'LICENSE']) {
      if (!has.has(file)) problems.push(`${file} missing`);
    }
    for (const field of ['license', 'repository', 'homepage', 'bugs', 'engines']) {
      if (pkg[field] === undefined) problems.push(`package.json has no "${field}"`);
    }
    const sourceDir = pkg.repository?.directory;
    if (sourceDir && existsSync(join(root, sourceDir, 'CHANGELOG.md')) && !has.has('CHANGELOG.md')) {
      problems.push('CHANGELOG.md exists in the repository but is not packed');
    }
    for (const file of files) {
      if (file.endsWith('.tsbuildinfo')) problems.push(`${file}: build state is packed`);
      if (/\.test\.[cm]?[jt]s$/.test(file) || file.includes('/testing/'))
        problems.push(`${file}: test code is packed`);
      // Output of a source that no longer exists (tsc -b never deletes it).
      const js = /^dist\/(.+)\.js$/.exec(file);
      if (js && !has.has(`src/${js[1]}.ts`))
        problems.push(`${file}: no src/${js[1]}.ts (stale build output?)`);
      if (file.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(base, file), 'utf8'));
        for (const source of map.sources ?? []) {
          const target = relative(base, resolve(base, dirname(file), map.sourceRoot ?? '', source));
          if (!has.has(target)) problems.push(`${file}: points at ${source}, which is not packed`);
        }
      }
    }
    for (const kind of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [name, spec] of Object.entries(pkg[kind] ?? {})) {
        if (String(spec).startsWith('workspace:')) problems.push(`${kind}.${name} is still ${spec}`);
      }
    }
    for (const [name, bin] of Object.entries(
      typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}),
    )) {
      const path = bin.replace(/^\.\//, '');
      if (!has.has(path)) problems.push(`bin ${name}: ${bin} is not packed`);
      else if (!readFileSync(join(base, path), 'utf8').startsWith('#!/usr/bin/env node')) {
        problems.push(`bin ${name}: ${bin} has no #!/usr/bin/env node`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return problems.map((problem) => `${tarball}: ${problem}`);
}

const problems = tarballs.flatMap(check);
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s) in the tarballs:`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(
  'tarballs: no tsbuildinfo, no stale output, no tests; every map resolves; LICENSE and README in each',
);
