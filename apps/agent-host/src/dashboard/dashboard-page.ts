import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpResponse } from '../http-response.js';
import { DASHBOARD_CHARTS_JS } from './dashboard-charts-script.js';
import { DASHBOARD_FORMAT_JS } from './dashboard-format-script.js';
import { DASHBOARD_PANELS_JS } from './dashboard-panels-script.js';
import { DASHBOARD_RUNTIMES_JS } from './dashboard-runtimes-script.js';
import { DASHBOARD_JS } from './dashboard-script.js';
import { DASHBOARD_CSS } from './dashboard-style.js';

// Everything the page loads comes from this host: no CDN, no inline script.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sbx: sandbox provisioning</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/uPlot.min.css">
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<header><h1>sbx: sandbox provisioning</h1><span>the SLA verdict: P95 of the newest 100 valid provisionings, failures as &infin;, against the limit</span>
<label class="picker">host <select id="host" data-testid="host-picker"><option value="">whole fleet</option></select></label>
<label class="picker">runtime <select id="runtime" data-testid="runtime-picker"><option value="">every runtime</option></select></label>
<span class="status" data-testid="refreshed">loading...</span></header>
<div class="banner" id="store-banner" data-testid="store-banner" role="status" hidden></div>
<main id="types"></main>
<main>
<section class="card"><h2>Sandbox runs (perf monitor)</h2><div class="stats" id="perf"></div></section>
<section class="card"><h2>Latest alerts</h2><div id="alerts"><p class="empty">no alerts</p></div></section>
</main>
</body>
</html>
`;

/** `GET /`: the dashboard page. */
export function renderDashboard(): HttpResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS },
    body: HTML,
  };
}

let uplotDist: string | undefined;

/** `GET /dashboard/<file>`: the page's scripts and styles, and uPlot from the installed package. */
export async function serveDashboardAsset(pathname: string): Promise<HttpResponse> {
  const file = pathname.slice('/dashboard/'.length);
  if (file === 'app.js') return asset('text/javascript', DASHBOARD_JS);
  if (file === 'charts.js') return asset('text/javascript', DASHBOARD_CHARTS_JS);
  if (file === 'format.js') return asset('text/javascript', DASHBOARD_FORMAT_JS);
  if (file === 'panels.js') return asset('text/javascript', DASHBOARD_PANELS_JS);
  if (file === 'runtimes.js') return asset('text/javascript', DASHBOARD_RUNTIMES_JS);
  if (file === 'app.css') return asset('text/css', DASHBOARD_CSS);
  if (file === 'uPlot.esm.js' || file === 'uPlot.min.css') {
    uplotDist ??= join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
    const type = file.endsWith('.js') ? 'text/javascript' : 'text/css';
    return asset(type, await readFile(join(uplotDist, file)));
  }
  return {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `no such asset: ${pathname}`,
  };
}

function asset(type: string, body: string | Uint8Array): HttpResponse {
  return { status: 200, headers: { 'content-type': `${type}; charset=utf-8`, ...SECURITY_HEADERS }, body };
}
