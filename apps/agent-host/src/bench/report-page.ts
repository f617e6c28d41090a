import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What a self-contained report page holds: its title, its HTML body, its data and the script that draws it. */
export interface ReportPage {
  title: string;
  /** The page's own CSS, after the shared one (its `main` width, its charts). */
  css: string;
  /** The HTML inside `<main>`, after the `<h1>` title. */
  body: string;
  /** The id of the `application/json` script holding `data`, which `script` reads. */
  dataId: string;
  data: unknown;
  script: string;
}

/**
 * One self-contained HTML page, openable by double-click: uPlot, its CSS, the data and the script are all
 * inlined (nothing is loaded from anywhere). The scaffolding of `sbx bench --report` and `sbx bench tti --report`.
 */
export function renderReportPage(page: ReportPage): string {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  const uplotJs = readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(join(dist, 'uPlot.min.css'), 'utf8');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${BASE_CSS}${page.css}</style>
</head>
<body>
<main>
<h1>${esc(page.title)}</h1>
${page.body}
</main>
<script type="application/json" id="${esc(page.dataId)}">${json(page.data)}</script>
<script>${uplotJs}</script>
<script>${page.script}</script>
</body>
</html>
`;
}

/** Milliseconds for a report cell: `1234 ms`, `12.3 ms`, `0.12 ms`. */
export function fmtMs(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 1 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

/** Text made safe for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// JSON inside <script>: no "</script>" or "<!--" can close or confuse it.
function json(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const BASE_CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #dde1e8; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: #fff; }
main { margin: 0 auto; padding: 20px 16px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 26px 0 6px; }
.meta, .note { color: var(--muted); margin: 4px 0 10px; }
code { font-size: 13px; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
table.summary th:first-child { text-align: left; }
table.summary thead th { color: var(--muted); font-weight: 600; }
ul.targets { list-style: none; padding: 0; margin: 0; font-variant-numeric: tabular-nums; }
ul.targets li { padding: 3px 8px; margin: 2px 0; border-left: 4px solid; }
ul.targets li.met { border-color: #2e7d32; background: #eef7ee; }
ul.targets li.missed { border-color: #c62828; background: #fdecec; }
.chart { margin: 6px 0 4px; }
`;
