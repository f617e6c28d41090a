import { createHash } from 'node:crypto';
import type { WebContainerSpec } from '@sbx/bootstrap/webcontainer';
import type { HttpResponse } from '../../../http-response.js';

export type { HttpResponse };

/** Options of the measuring page. */
export interface WebContainerPageOptions {
  /** Swap the fake module in through the import map; it reads its scenario from `?fake=...`. */
  fake: boolean;
  /** Where `/assets/{timing,bootstrap,webcontainer-api}/` are served; `/assets` by default. */
  assetBase?: string;
  /** Where the page POSTs its result; `/v1/provisions` by default. */
  ingestUrl?: string;
  spec?: WebContainerSpec;
  deadlineMs?: number;
  bootTimeoutMs?: number;
  readyTimeoutMs?: number;
}

/** Headers that make the page cross-origin isolated, which a WebContainer needs. */
export const WEBCONTAINER_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
});

/** What the page provisions by default: a one-file Node server, `npm install`, `npm start`, port 3000. */
export const DEFAULT_WEBCONTAINER_SPEC: WebContainerSpec = Object.freeze({
  files: {
    'package.json': {
      file: {
        contents: JSON.stringify({ name: 'sbx-probe', private: true, scripts: { start: 'node server.js' } }),
      },
    },
    'server.js': {
      file: { contents: "require('node:http').createServer((req, res) => res.end('ok')).listen(3000);\n" },
    },
  },
  install: ['npm', 'install'],
  start: ['npm', 'start'],
  ready: { port: 3000 },
});

/** The import map of the page: the three bare names the built modules import, mapped to asset URLs. */
export function webContainerImportMap(
  fake: boolean,
  assetBase = '/assets',
): { imports: Record<string, string> } {
  return {
    imports: {
      '@sbx/timing/browser': `${assetBase}/timing/browser.js`,
      '@sbx/bootstrap/webcontainer': `${assetBase}/bootstrap/webcontainer/index.js`,
      '@webcontainer/api': fake
        ? `${assetBase}/bootstrap/webcontainer/fake-webcontainer-api.js`
        : `${assetBase}/webcontainer-api/index.js`,
    },
  };
}

// Runs in the page. `bootTimeoutMs`/`readyTimeoutMs` in the page's own query string override the config,
// so a driver can ask for a short bound (`?fake=hang&bootTimeoutMs=1000`) through any host.
const PAGE_SCRIPT = `
import * as api from '@webcontainer/api';
import { measureWebContainer } from '@sbx/bootstrap/webcontainer';
const config = JSON.parse(document.getElementById('sbx-config').textContent);
const query = new URLSearchParams(location.search);
for (const name of ['bootTimeoutMs', 'readyTimeoutMs']) {
  const value = Number(query.get(name));
  if (query.has(name) && Number.isFinite(value) && value > 0) config[name] = value;
}
const status = document.getElementById('sbx-status');
status.textContent = 'provisioning a WebContainer...';
const measurement = await measureWebContainer({ module: api, ...config });
status.textContent = JSON.stringify(measurement, null, 2);
`;

/** Renders the measuring page, served at `GET /webcontainer` with COOP/COEP. */
export function renderWebContainerPage(options: WebContainerPageOptions): HttpResponse {
  const config = {
    spec: options.spec ?? DEFAULT_WEBCONTAINER_SPEC,
    ingestUrl: options.ingestUrl ?? '/v1/provisions',
    ...pick(options, ['deadlineMs', 'bootTimeoutMs', 'readyTimeoutMs']),
  };
  const importMap = jsonForScript(webContainerImportMap(options.fake, options.assetBase));
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sbx: WebContainer provisioning${options.fake ? ' (fake)' : ''}</title>
<link rel="icon" href="data:,">
<script type="importmap">${importMap}</script>
<script type="application/json" id="sbx-config">${jsonForScript(config)}</script>
<script type="module">${PAGE_SCRIPT}</script>
</head>
<body>
<h1>WebContainer provisioning${options.fake ? ' (fake module)' : ''}</h1>
<pre id="sbx-status">loading...</pre>
</body>
</html>
`;
  const csp = contentSecurityPolicy([importMap, PAGE_SCRIPT], options.fake);
  return { status: 200, headers: { ...WEBCONTAINER_PAGE_HEADERS, 'content-security-policy': csp }, body };
}

// StackBlitz's runtime (real mode only) runs in frames and workers from its own origins.
const WEBCONTAINER_ORIGINS =
  'https://*.stackblitz.com https://*.webcontainer-api.io https://*.webcontainer.io';

/**
 * The page's CSP: its two inline scripts by hash, everything else from the host itself; the fake needs no
 * other origin, the real runtime only StackBlitz's.
 */
function contentSecurityPolicy(inlineScripts: readonly string[], fake: boolean): string {
  const hashes = inlineScripts.map(
    (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`,
  );
  const remote = fake ? '' : ` ${WEBCONTAINER_ORIGINS}`;
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}${remote}`,
    `connect-src 'self'${remote}`,
    `frame-src ${fake ? "'none'" : WEBCONTAINER_ORIGINS}`,
    `worker-src 'self' blob:${remote}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** JSON that cannot close the surrounding `<script>` element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}
