import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports } from './check-imports.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'import-check-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const AH = 'apps/agent-host/src';

describe('the import check (pnpm lint)', () => {
  it('passes on this repository: no cycles, every import points down', () => {
    expect(checkImports(REPO)).toEqual([]);
  });

  it.each([
    ['a value import', "import { b } from './b.js';", "import { a } from './a.js';"],
    ['a type-only import', "import type { B } from './b.js';", "import type { A } from './a.js';"],
    ['a re-export', "export { b } from './b.js';", "export * from './a.js';"],
    ['a dynamic import', "const b = () => import('./b.js');", "import { a } from './a.js';"],
  ])('finds a two-file cycle through %s', (_, a, b) => {
    const root = tree({ 'packages/p/src/a.ts': a, 'packages/p/src/b.ts': b });
    expect(checkImports(root)).toEqual([
      'import cycle: packages/p/src/a.ts -> packages/p/src/b.ts -> packages/p/src/a.ts',
    ]);
  });

  it('finds a long cycle across folders (directory index imports included) and names its shortest loop', () => {
    const root = tree({
      [`${AH}/core/a.ts`]: "import './b.js';",
      [`${AH}/core/b.ts`]: "import '../lifecycle/index.js';",
      [`${AH}/lifecycle/index.ts`]: "import '../spool/c.js';",
      [`${AH}/spool/c.ts`]: "import '../core/a.js';",
    });
    const problems = checkImports(root);
    expect(problems[0]).toBe(
      `import cycle: ${AH}/core/a.ts -> ${AH}/core/b.ts -> ${AH}/lifecycle/index.ts -> ${AH}/spool/c.ts -> ${AH}/core/a.ts`,
    );
  });

  it.each([
    ['kinds', 'cli', 'core/kinds must not import doors'],
    ['kinds', 'http', 'core/kinds must not import doors'],
    ['kinds', 'compose', 'core/kinds must not import compose'],
    ['core', 'kinds', 'core/ must not import kinds'],
    ['core', 'http', 'core/kinds must not import doors'],
    ['compose', 'cli', 'compose must not import doors'],
    ['service', 'compose', 'service must not import compose'],
    ['service', 'http', 'service must not import doors'],
    ['kinds', 'service', 'core/kinds must not import service'],
    ['core', 'service', 'core/kinds must not import service'],
    ['http', 'cli', 'http/ must not import cli'],
    ['telemetry', 'core', 'leaves must not import core/kinds'],
    ['templates', 'cli', 'leaves must not import doors'],
  ])('refuses an upward import from %s/ to %s/', (from, to, why) => {
    const root = tree({
      [`${AH}/${from}/x.ts`]: `import { y } from '../${to}/y.js';`,
      [`${AH}/${to}/y.ts`]: '',
    });
    expect(checkImports(root)).toEqual([
      `${AH}/${from}/x.ts imports ${AH}/${to}/y.ts: ${why} (layers: doors -> compose -> service -> core, kinds -> leaves)`,
    ]);
  });

  it('allows downward imports, cli/ starting the HTTP server, and tests reaching anywhere', () => {
    const root = tree({
      [`${AH}/cli/serve.ts`]: "import '../http/app.js'; import '../compose/open.js';",
      [`${AH}/http/app.ts`]: "import '../compose/open.js'; import '../service/s.js';",
      [`${AH}/compose/open.ts`]: "import '../service/s.js'; import '../kinds/registry.js';",
      [`${AH}/service/s.ts`]: "import '../core/host.js'; import '../kinds/registry.js';",
      [`${AH}/kinds/registry.ts`]: "import '../core/host.js'; import '../telemetry/m.js';",
      [`${AH}/core/host.ts`]: "import '../telemetry/m.js'; import '../errors.js';",
      [`${AH}/telemetry/m.ts`]: "import '../errors.js';",
      [`${AH}/errors.ts`]: '',
      [`${AH}/core/host.test.ts`]: "import '../http/app.js';",
      [`${AH}/core/testing/kit.ts`]: "import '../../compose/open.js';",
    });
    expect(checkImports(root)).toEqual([]);
  });

  it('refuses a package import outside the package graph and a relative reach into another package', () => {
    const root = tree({
      'packages/store/src/a.ts': "import { x } from '@sbx/bootstrap';",
      'packages/timing/src/b.ts': "import { y } from '@sbx/agent-host';",
      'packages/bootstrap/src/c.ts': "import '../../timing/src/d.js';",
      'packages/timing/src/d.ts': '',
    });
    expect(checkImports(root)).toEqual([
      'packages/bootstrap/src/c.ts imports packages/timing/src/d.ts: a package reaches another only by its name (@sbx/...)',
      'packages/store/src/a.ts imports @sbx/bootstrap: @sbx/store may import only @sbx/timing',
      'packages/timing/src/b.ts imports @sbx/agent-host: @sbx/timing may import only no other @sbx package',
    ]);
  });

  it('fails the lint command (exit 1) on a cycle planted in a copy of this repository', () => {
    const root = tree({});
    for (const dir of ['packages', 'apps']) {
      cpSync(join(REPO, dir), join(root, dir), {
        recursive: true,
        filter: (src) => !/node_modules|[/\\]dist([/\\]|$)/.test(src),
      });
    }
    writeFileSync(join(root, AH, 'kinds/registry.ts'), "import '../compose/open-agent-host.js';\n", {
      flag: 'a',
    });
    const run = () =>
      execFileSync(
        join(REPO, 'node_modules/.bin/tsx'),
        [join(REPO, 'tools/import-check/check-imports.ts'), root],
        { encoding: 'utf8', stdio: 'pipe' },
      );
    let failure: { status?: number; stderr?: string } = {};
    try {
      run();
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure.status).toBe(1);
    // The loop named goes through the planted edge (which loop is shortest depends on the repository's graph).
    const cycle = failure.stderr?.split('\n').find((line) => line.startsWith('import cycle: '));
    expect(cycle).toContain(`${AH}/kinds/registry.ts -> ${AH}/compose/open-agent-host.ts`);
    expect(failure.stderr).toContain(
      `${AH}/kinds/registry.ts imports ${AH}/compose/open-agent-host.ts: core/kinds must not import compose`,
    );
  }, 60_000);
});
