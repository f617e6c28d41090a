import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The built files are served to the page as-is through an import map, with no bundler: every import must
// be relative with a `.js` suffix or a name the page's import map provides.
const dir = fileURLToPath(new URL('.', import.meta.url));
const sources = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
const allowed = /^(\.\.?\/[\w./-]+\.js|@sbx\/timing\/browser)$/;

describe('@sbx/bootstrap/webcontainer is browser-safe', () => {
  it('finds the sources and their imports', () => {
    expect(sources).toContain('webcontainer-adapter.ts');
    const adapter = readFileSync(`${dir}/webcontainer-adapter.ts`, 'utf8');
    expect(ts.preProcessFile(adapter, true, true).importedFiles.map((f) => f.fileName)).toContain(
      '@sbx/timing/browser',
    );
  });

  it.each(sources)('%s imports only relative .js files and @sbx/timing/browser', (name) => {
    const text = readFileSync(`${dir}/${name}`, 'utf8');
    const imports = ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
    expect(imports.filter((specifier) => !allowed.test(specifier))).toEqual([]);
    const code = ts.transpileModule(text, {
      compilerOptions: { removeComments: true, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    expect(code).not.toMatch(/\bprocess\.|\brequire\(|\bBuffer\b|\b__dirname\b/);
  });
});
