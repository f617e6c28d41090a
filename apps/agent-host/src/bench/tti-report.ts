import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatTtiTarget } from './tti-print.js';
import { TTI_REPORT_JS } from './tti-report-script.js';
import type { TtiRow, TtiSummary } from './tti-summary.js';
import type { TtiRun } from './tti-types.js';

/** The leaderboard's figures (computesdk/benchmarks, 2026-05-05; ms), set beside ours with their caveat. */
export const LEADERBOARD_2026_05_05 = Object.freeze([
  { provider: 'Daytona', median: 186, p95: 492, p99: 560, burstMedian: 367 },
  { provider: 'E2B', median: 491, p95: 685, p99: 740, burstMedian: 822 },
  { provider: 'Vercel', median: 671, p95: 1_062, p99: 1_315, burstMedian: 832 },
  { provider: 'Modal', median: 1_723, p95: 2_309, p99: 2_494, burstMedian: 2_261 },
  { provider: 'Cloudflare', median: 2_056, p95: 2_969, p99: 3_476, burstMedian: 2_092 },
]);

/**
 * One self-contained HTML page of a TTI run, openable by double-click (uPlot, its CSS, the data and the script
 * inlined; nothing is fetched): the machine, the summary table with the floors' ratios, the targets, and per mode
 * the distribution of every series.
 */
export function renderTtiReport(run: TtiRun, summary: TtiSummary): string {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  const uplotJs = readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(join(dist, 'uPlot.min.css'), 'utf8');
  const m = run.machine;
  const title = `sbx bench tti: x${run.count}, ${run.modes.join(' / ')}, ${run.runtimes.join(' / ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">${esc(run.target)} · started ${esc(run.startedAt)} · ${(run.durationMs / 1000).toFixed(0)} s · ${esc(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, ${m.engine}, Node ${m.node}`)}</p>
<p class="note">TTI: from the client's <code>sandboxes.create()</code> to <code>exec('node -v')</code> returning its output, timed by <code>@sbx/client</code> on its own thread over loopback; teardown not timed. The floors run no sbx code: dockerode create + start + exec, and <code>docker run --rm --network none</code>. Trimmed mean and score as the leaderboard computes them (5 % off each end).</p>
${summaryTable(summary.rows)}
<h2>Targets</h2>
<ul class="targets">${summary.targets.map((t) => `<li class="${t.met ? 'met' : 'missed'}">${esc(formatTtiTarget(t).trim())}</li>`).join('')}</ul>
${run.modes.map((mode) => `<h2>${esc(mode)}</h2>\n<div id="chart-${esc(mode)}" class="chart" data-testid="chart-${esc(mode)}"></div>`).join('\n')}
<h2>The public leaderboard, for scale</h2>
<p class="note">computesdk/benchmarks, 2026-05-05, sequential median / p95 / p99 and burst median (ms). Their clients cross the internet to each provider; ours talks to a host on the same machine over loopback.</p>
${leaderboardTable()}
</main>
<script type="application/json" id="tti-data">${json(run)}</script>
<script>${uplotJs}</script>
<script>${TTI_REPORT_JS}</script>
</body>
</html>
`;
}

function summaryTable(rows: readonly TtiRow[]): string {
  const v = (x: number | undefined) => (x === undefined ? '' : fmtMs(x));
  const r = (x: number | undefined) => (x === undefined ? '' : `${x.toFixed(2)}x`);
  const head = [
    'runtime',
    'mode',
    'source',
    'n',
    'success',
    'min',
    'median',
    'p95',
    'p99',
    'max',
    'create p50',
    'exec p50',
    'trimmed mean',
    'score',
    'per s',
    'x dockerode',
    'x docker run',
    'x CPU floor',
    '/healthz p95',
  ];
  const body = rows.map((row) => {
    const s = row.stats;
    const source =
      row.poolSize === undefined
        ? row.source
        : `${row.source} (${row.poolSize}; ${row.hits ?? 0} hits, ${row.misses ?? 0} misses)`;
    return [
      row.runtime,
      row.mode,
      source,
      String(s.n),
      `${s.successPct.toFixed(0)} %`,
      v(s.minMs),
      v(s.medianMs),
      v(s.p95Ms),
      v(s.p99Ms),
      v(s.maxMs),
      v(s.createMedianMs),
      v(s.execMedianMs),
      v(s.leaderboard.trimmedMeanMs),
      s.leaderboard.score?.toFixed(1) ?? '',
      s.throughputPerS?.toFixed(1) ?? '',
      row.source === 'dockerode' ? '' : r(row.overDockerode),
      row.source === 'docker-run' ? '' : r(row.overDockerRun),
      r(row.overCpuFloor),
      v(row.healthzP95Ms),
    ];
  });
  return `<table class="summary" data-testid="tti-summary"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.map((cells) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function leaderboardTable(): string {
  const rows = LEADERBOARD_2026_05_05.map(
    (p) =>
      `<tr><th>${esc(p.provider)}</th><td>${p.median}</td><td>${p.p95}</td><td>${p.p99}</td><td>${p.burstMedian}</td></tr>`,
  ).join('');
  return `<table class="summary"><thead><tr><th>provider</th><th>median</th><th>p95</th><th>p99</th><th>burst median</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function fmtMs(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// JSON inside <script>: no "</script>" or "<!--" can close or confuse it.
function json(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #dde1e8; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 16px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 26px 0 6px; }
.meta, .note { color: var(--muted); margin: 4px 0 10px; }
code { font-size: 13px; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 12px; }
table.summary th, table.summary td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
table.summary td:nth-child(-n+3), table.summary th:first-child { text-align: left; }
table.summary thead th { color: var(--muted); font-weight: 600; }
ul.targets { list-style: none; padding: 0; margin: 0; font-variant-numeric: tabular-nums; }
ul.targets li { padding: 3px 8px; margin: 2px 0; border-left: 4px solid; }
ul.targets li.met { border-color: #2e7d32; background: #eef7ee; }
ul.targets li.missed { border-color: #c62828; background: #fdecec; }
.chart { margin: 6px 0 4px; }
`;
