import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import type { HttpResponse } from './webcontainer-page.js';

/** The folders the page's modules are served from, by the first path segment after `/assets/`. */
export interface WebContainerAssetRoots {
  timing: string;
  bootstrap: string;
  /** Absent when `@webcontainer/api` is not installed (then only the fake can run). */
  'webcontainer-api'?: string;
}

/** Headers of every served module: same-origin only, so the cross-origin isolated page may load them. */
export const WEBCONTAINER_ASSET_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/javascript; charset=utf-8',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
});

/** Finds the built `dist` folders of @sbx/timing and @sbx/bootstrap and `@webcontainer/api`'s `dist`. */
export function resolveWebContainerAssetRoots(): WebContainerAssetRoots {
  const require = createRequire(import.meta.url);
  const timing = dirname(require.resolve('@sbx/timing/package.json'));
  const bootstrap = dirname(require.resolve('@sbx/bootstrap/package.json'));
  // `@webcontainer/api` exports only an `import` condition, so look for its folder instead of resolving it;
  // it may sit next to the host or next to @sbx/bootstrap (whose devDependency it is).
  const searchPaths = [
    ...(require.resolve.paths('@webcontainer/api') ?? []),
    ...(createRequire(join(bootstrap, 'package.json')).resolve.paths('@webcontainer/api') ?? []),
  ];
  const api = searchPaths
    .map((dir) => join(dir, '@webcontainer', 'api'))
    .find((dir) => existsSync(join(dir, 'package.json')));
  const roots: WebContainerAssetRoots = { timing: join(timing, 'dist'), bootstrap: join(bootstrap, 'dist') };
  if (api !== undefined) roots['webcontainer-api'] = join(api, 'dist');
  return roots;
}

/** Maps `/assets/<root>/<file>.js` to a file inside that root; `undefined` for anything else (or `..`). */
export function resolveWebContainerAsset(
  pathname: string,
  roots: WebContainerAssetRoots,
): string | undefined {
  return locate(pathname, roots)?.file;
}

function locate(pathname: string, roots: WebContainerAssetRoots): { root: string; file: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const match = /^\/assets\/([a-z-]+)\/(.+\.js)$/.exec(decoded);
  if (!match || decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const [, name, rest = ''] = match;
  const root = Object.hasOwn(roots, name ?? '') ? roots[name as keyof WebContainerAssetRoots] : undefined;
  if (root === undefined || rest.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    return undefined;
  }
  const file = resolve(root, rest);
  return file.startsWith(root + sep) ? { root, file } : undefined;
}

let defaultRoots: WebContainerAssetRoots | undefined;

function defaultAssetRoots(): WebContainerAssetRoots {
  defaultRoots ??= resolveWebContainerAssetRoots();
  return defaultRoots;
}

/** Serves `GET /assets/*` for the measuring page: the module with CORP same-origin, or a 404 saying why. */
export async function serveWebContainerAsset(
  pathname: string,
  roots: WebContainerAssetRoots = defaultAssetRoots(),
): Promise<HttpResponse> {
  const found = locate(pathname, roots);
  if (found === undefined) {
    const missingApi =
      pathname.startsWith('/assets/webcontainer-api/') && roots['webcontainer-api'] === undefined;
    return notFound(
      missingApi
        ? '@webcontainer/api is not installed next to the host or @sbx/bootstrap: install it, or use the fake (?fake=ok)'
        : `no such asset: ${pathname}`,
    );
  }
  try {
    // A symlink inside a root must not lead out of it.
    const real = await realpath(found.file);
    const realRoot = await realpath(found.root);
    if (!real.startsWith(realRoot + sep)) return notFound(`no such asset: ${pathname}`);
    return { status: 200, headers: { ...WEBCONTAINER_ASSET_HEADERS }, body: await readFile(real) };
  } catch {
    return notFound(`no such asset: ${pathname} (is the package built? run pnpm build)`);
  }
}

function notFound(message: string): HttpResponse {
  return {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cross-origin-resource-policy': 'same-origin' },
    body: `${message}\n`,
  };
}
