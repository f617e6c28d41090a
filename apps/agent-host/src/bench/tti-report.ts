import { esc, fmtMs, renderReportPage } from './report-page.js';
import { TTI_COLUMNS } from './tti-columns.js';
import { formatTtiTarget } from './tti-print.js';
import { TTI_REPORT_JS } from './tti-report-script.js';
import type { TtiRow } from './tti-stats.js';
import type { TtiSummary } from './tti-summary.js';
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
  const m = run.machine;
  return renderReportPage({
    title: `sbx bench tti: x${run.count}, ${run.modes.join(' / ')}, ${run.runtimes.join(' / ')}`,
    css: CSS,
    body: `<p class="meta">${esc(run.target)} · started ${esc(run.startedAt)} · ${(run.durationMs / 1000).toFixed(0)} s · ${esc(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, ${m.engine}, Node ${m.node}`)}</p>
<p class="note">TTI: from the client's <code>sandboxes.create()</code> to <code>exec('node -v')</code> returning its output, timed by <code>@sbx/client</code> on its own thread over loopback; teardown not timed. The floors run no sbx code: dockerode create + start + exec, and <code>docker run --rm --network none</code>. Trimmed mean and score as the leaderboard computes them (5 % off each end).</p>
${summaryTable(summary.rows)}
<h2>Targets</h2>
<ul class="targets">${summary.targets.map((t) => `<li class="${t.met ? 'met' : 'missed'}">${esc(formatTtiTarget(t).trim())}</li>`).join('')}</ul>
${run.modes.map((mode) => `<h2>${esc(mode)}</h2>\n<div id="chart-${esc(mode)}" class="chart" data-testid="chart-${esc(mode)}"></div>`).join('\n')}
<h2>The public leaderboard, for scale</h2>
<p class="note">computesdk/benchmarks, 2026-05-05, sequential median / p95 / p99 and burst median (ms). Their clients cross the internet to each provider; ours talks to a host on the same machine over loopback.</p>
${leaderboardTable()}`,
    dataId: 'tti-data',
    data: run,
    script: TTI_REPORT_JS,
  });
}

function summaryTable(rows: readonly TtiRow[]): string {
  const head = TTI_COLUMNS.map((c) => `<th>${esc(c.head)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${TTI_COLUMNS.map((c) => `<td>${esc(c.cell(row, fmtMs))}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="summary" data-testid="tti-summary"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function leaderboardTable(): string {
  const rows = LEADERBOARD_2026_05_05.map(
    (p) =>
      `<tr><th>${esc(p.provider)}</th><td>${p.median}</td><td>${p.p95}</td><td>${p.p99}</td><td>${p.burstMedian}</td></tr>`,
  ).join('');
  return `<table class="summary"><thead><tr><th>provider</th><th>median</th><th>p95</th><th>p99</th><th>burst median</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const CSS = `
main { max-width: 1180px; }
table.summary { font-size: 12px; }
table.summary th, table.summary td { padding: 4px 6px; }
table.summary td:nth-child(-n+3) { text-align: left; }
`;
