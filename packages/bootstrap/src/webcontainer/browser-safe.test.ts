import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The built files are served to the page as-is through an import map, with no bundler: every import must
// be relative with a `.js` suffix or a name the page's import map provides. That holds for the files of this
// folder and for every shared file they import (errors, the abort/deadline helper).
const dir = fileURLToPath(new URL('.', import.meta.url));
const src = join(dir, '..');
const allowed = /^(\.\.?\/[\w./-]+\.js|@sbx\/timing\/browser)$/;

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

// This folder's sources plus every relative import reachable from them.
function reachableSources(): string[] {
  const pending = readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(dir, name));
  const seen = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  }
  return [...seen].map((file) => relative(src, file)).sort();
}

const sources = reachableSources();

describe('@sbx/bootstrap/webcontainer is browser-safe', () => {
  it('finds the sources, the shared files they import, and their imports', () => {
    expect(sources).toContain('webcontainer/webcontainer-adapter.ts');
    expect(sources).toEqual(expect.arrayContaining(['bounded.ts', 'errors.ts', 'sandbox-adapter.ts']));
    expect(sources.some((name) => name.startsWith('docker/'))).toBe(false);
    expect(importsOf(join(dir, 'webcontainer-adapter.ts'))).toContain('@sbx/timing/browser');
  });

  it.each(sources)('%s imports only relative .js files and @sbx/timing/browser', (name) => {
    const text = readFileSync(join(src, name), 'utf8');
    expect(importsOf(join(src, name)).filter((specifier) => !allowed.test(specifier))).toEqual([]);
    const code = ts.transpileModule(text, {
      compilerOptions: { removeComments: true, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    expect(code).not.toMatch(/\bprocess\.|\brequire\(|\bBuffer\b|\b__dirname\b/);
  });
});
