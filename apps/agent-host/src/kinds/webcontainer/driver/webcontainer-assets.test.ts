import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  resolveWebContainerAsset,
  resolveWebContainerAssetRoots,
  serveWebContainerAsset,
  type WebContainerAssetRoots,
} from './webcontainer-assets.js';

function fixture(): WebContainerAssetRoots {
  const base = mkdtempSync(join(tmpdir(), 'sbx-assets-'));
  for (const name of ['timing', 'bootstrap', 'secret'])
    mkdirSync(join(base, name, 'webcontainer'), { recursive: true });
  writeFileSync(join(base, 'timing', 'browser.js'), 'export const x = 1;\n');
  writeFileSync(join(base, 'secret', 'key.js'), 'secret\n');
  symlinkSync(join(base, 'secret', 'key.js'), join(base, 'bootstrap', 'webcontainer', 'link.js'));
  return { timing: join(base, 'timing'), bootstrap: join(base, 'bootstrap') };
}

describe('WebContainer assets', () => {
  it('finds the built dist folders and @webcontainer/api', () => {
    const roots = resolveWebContainerAssetRoots();
    expect(roots.timing).toMatch(/packages\/timing\/dist$/);
    expect(roots.bootstrap).toMatch(/packages\/bootstrap\/dist$/);
    expect(roots['webcontainer-api']).toMatch(/@webcontainer\/api\/dist$/);
  });

  it('maps /assets/<root>/<file>.js into its root', () => {
    const roots = fixture();
    expect(resolveWebContainerAsset('/assets/timing/browser.js', roots)).toBe(
      join(roots.timing, 'browser.js'),
    );
    expect(resolveWebContainerAsset('/assets/bootstrap/webcontainer/index.js', roots)).toBe(
      join(roots.bootstrap, 'webcontainer', 'index.js'),
    );
  });

  it.each([
    '/assets/timing/../secret/key.js',
    '/assets/timing/%2e%2e/secret/key.js',
    '/assets/bootstrap/webcontainer/..%2F..%2Fsecret/key.js',
    '/assets/timing/..\\secret\\key.js',
    '/assets/timing//etc/passwd.js',
    '/assets/secret/key.js',
    '/assets/timing/browser.d.ts',
    '/assets/timing/%E0%A4%A.js',
    '/assets/webcontainer-api/index.js',
    '/assets/constructor/index.js',
  ])('refuses %s', async (pathname) => {
    const roots = fixture();
    expect(resolveWebContainerAsset(pathname, roots)).toBeUndefined();
    expect((await serveWebContainerAsset(pathname, roots)).status).toBe(404);
  });

  it('serves a module with CORP same-origin, and refuses a symlink that leads out of its root', async () => {
    const roots = fixture();
    const ok = await serveWebContainerAsset('/assets/timing/browser.js', roots);
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(String(ok.body)).toBe('export const x = 1;\n');
    expect((await serveWebContainerAsset('/assets/bootstrap/webcontainer/link.js', roots)).status).toBe(404);
  });

  it('says when @webcontainer/api is not installed, or a package is not built', async () => {
    const roots = fixture();
    const api = await serveWebContainerAsset('/assets/webcontainer-api/index.js', roots);
    expect(String(api.body)).toMatch(/@webcontainer\/api is not installed .* use the fake/);
    const missing = await serveWebContainerAsset('/assets/bootstrap/webcontainer/index.js', roots);
    expect(String(missing.body)).toMatch(/run pnpm build/);
  });
});
