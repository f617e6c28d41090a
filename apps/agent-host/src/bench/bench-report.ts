import type { PhaseTiming } from '@sbx/timing';
import { formatTarget } from './bench-print.js';
import { BENCH_REPORT_JS } from './bench-report-script.js';
import { COLD_PHASES, type RuntimeFigures } from './bench-runtimes.js';
import type { BenchSummary } from './bench-summary.js';
import type { BenchRun } from './bench-types.js';
import { esc, fmtMs, renderReportPage } from './report-page.js';

const PHASE_COLORS = ['#2f6fdd', '#f29d38', '#8e5cd9', '#20a39e', '#d9487d', '#7a8b99', '#b5a021'];

/**
 * One self-contained HTML page of a run, openable by double-click: uPlot, its CSS, the data and the script
 * are all inlined (nothing is loaded from anywhere). It shows the summary and the targets, the latency
 * distributions, a timeline of the run with the pool's ready members, and where the time goes per source.
 */
export function renderBenchReport(
  run: BenchRun,
  summary: BenchSummary,
  byRuntime?: readonly RuntimeFigures[],
): string {
  return renderReportPage({
    title: `sbx bench: ${run.mode} x${run.count}, pool of ${run.poolSize}`,
    css: CSS,
    body: `<p class="meta">${esc(run.image)} · started ${esc(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s · every request through <code>POST /v1/sandboxes</code> on loopback, each sandbox deleted once answered</p>
${summaryTable(summary)}
<h2>Targets</h2>
<ul class="targets">${summary.targets.map((t) => `<li class="${t.met ? 'met' : 'missed'}">${esc(formatTarget(t).trim())}</li>`).join('')}</ul>
<h2>Latency distributions</h2>
<p class="note">Each line is one kind of request, its latency at every percentile (log scale): the gap between the red and blue lines is what a warm pool saves.</p>
<div id="chart-distribution" class="chart"></div>
<h2>Timeline of the run</h2>
<p class="note">Every request at the moment it was sent, by its round trip; the grey steps are the pool's ready members (right axis).</p>
<div id="chart-timeline" class="chart"></div>
${byRuntime ? runtimeSection(byRuntime) : ''}
<h2>Where the time goes</h2>
<p class="note">Mean time per phase of each kind of provisioning, as its KPI rows record them (each bar is that kind's own total).</p>
${phaseSplit(run)}`,
    dataId: 'bench-data',
    data: run,
    script: BENCH_REPORT_JS,
  });
}

function summaryTable(summary: BenchSummary): string {
  const cell = (v: number | undefined) => (v === undefined ? '' : fmtMs(v));
  const head = ['', 'n', 'server p50', 'p95', 'p99', 'round trip p50', 'p95', 'p99', 'per s'];
  const rows = summary.rows.map(
    (r) =>
      `<tr><th>${esc(r.label)}</th><td>${r.server.n}</td><td>${cell(r.server.p50Ms)}</td><td>${cell(r.server.p95Ms)}</td><td>${cell(r.server.p99Ms)}</td><td>${cell(r.roundTrip.p50Ms)}</td><td>${cell(r.roundTrip.p95Ms)}</td><td>${cell(r.roundTrip.p99Ms)}</td><td>${r.throughputPerS === undefined ? '' : r.throughputPerS.toFixed(1)}</td></tr>`,
  );
  const hit = summary.hitRate === undefined ? '' : ` · hit rate ${(summary.hitRate * 100).toFixed(1)} %`;
  const ratio =
    summary.coldPoolP50Ratio === undefined
      ? ''
      : ` · cold / pool hit p50 ${summary.coldPoolP50Ratio.toFixed(0)}x server side, ${summary.coldPoolRoundTripRatio?.toFixed(0)}x round trip`;
  return `<table class="summary"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="note">server: Server-Timing total (request accepted -> sandbox answered, its KPI row written); round trip: the client, on its own thread${hit}${ratio}</p>`;
}

function phaseSplit(run: BenchRun): string {
  const ok = run.requests.filter((r) => r.status === 201);
  const kinds: Array<[string, PhaseTiming[][]]> = [
    ['cold', ok.filter((r) => r.kind === 'cold').map((r) => r.phases)],
    ['pool hit', ok.filter((r) => r.kind === 'pool' && r.source === 'pool').map((r) => r.phases)],
    ['pool miss', ok.filter((r) => r.kind === 'pool' && r.source === 'cold').map((r) => r.phases)],
    ['refill', run.refills.filter((r) => !r.failed).map((r) => r.phases)],
  ];
  const names = [...new Set(kinds.flatMap(([, list]) => list.flat().map((p) => p.name)))];
  const color = (name: string) => PHASE_COLORS[names.indexOf(name) % PHASE_COLORS.length];
  const bars = kinds
    .filter(([, list]) => list.length > 0)
    .map(([label, list]) => {
      const means = names
        .map((name) => {
          const values = list.flat().filter((p) => p.name === name);
          return { name, mean: values.reduce((s, p) => s + p.durationMs, 0) / list.length };
        })
        .filter((p) => p.mean > 0);
      const total = means.reduce((s, p) => s + p.mean, 0);
      const segments = means
        .map(
          (p) =>
            `<div style="width:${((100 * p.mean) / total).toFixed(2)}%;background:${color(p.name)}" title="${esc(p.name)} ${fmtMs(p.mean)}"></div>`,
        )
        .join('');
      const legend = means
        .map((p) => `<span><i style="background:${color(p.name)}"></i>${esc(p.name)} ${fmtMs(p.mean)}</span>`)
        .join('');
      return `<div class="split"><div class="label">${esc(label)} <b>${fmtMs(total)}</b> <small>(n ${list.length})</small></div><div class="bar">${segments}</div><div class="legend">${legend}</div></div>`;
    });
  return `<div class="phases" data-testid="phase-split">${bars.join('')}</div>`;
}

// What each engine runtime costs: for every figure a bar per runtime on one scale, with its ratio to the default.
function runtimeSection(figures: readonly RuntimeFigures[]): string {
  const rows: Array<[string, (f: RuntimeFigures) => number | undefined]> = [
    ['cold total p50', (f) => f.cold.p50Ms],
    ['cold total p95', (f) => f.cold.p95Ms],
    ...COLD_PHASES.map((name): [string, (f: RuntimeFigures) => number | undefined] => [
      `${name} p50`,
      (f) => f.phases[name].p50Ms,
    ]),
    ['pool hit p95', (f) => f.hit.p95Ms],
  ];
  const colorOf = (i: number) => PHASE_COLORS[i % PHASE_COLORS.length];
  const groups = rows.map(([label, value]) => {
    const values = figures.map(value);
    const max = Math.max(...values.map((v) => v ?? 0), 0.001);
    const base = values[figures.findIndex((f) => f.isDefault)];
    const bars = figures
      .map((f, i) => {
        const v = values[i];
        const ratio = v !== undefined && base ? ` · ${(v / base).toFixed(2)}x` : '';
        const width = v === undefined ? 0 : (100 * v) / max;
        return `<div class="rt-bar"><span class="rt-name">${esc(f.runtime)}</span><div class="rt-track"><div style="width:${width.toFixed(2)}%;background:${colorOf(i)}"></div></div><span class="rt-value">${v === undefined ? 'n/a' : fmtMs(v)}${ratio}</span></div>`;
      })
      .join('');
    return `<div class="rt-group"><div class="label">${esc(label)}</div>${bars}</div>`;
  });
  const legend = figures
    .map(
      (f, i) =>
        `<span><i style="background:${colorOf(i)}"></i>${esc(f.runtime)}${f.isDefault ? ' (default)' : ''}: ${f.cold.n} cold, ${f.hit.n} hits</span>`,
    )
    .join('');
  return `<h2>By engine runtime</h2>
<p class="note">The same requests on each runtime, in the same run: cold provisionings (their KPI rows' total and phases) and pool hits (server side), each with its ratio to the engine's default.</p>
<div class="runtimes" data-testid="runtime-chart"><div class="legend">${legend}</div>${groups.join('')}</div>`;
}

const CSS = `
main { max-width: 960px; }
table.summary th, table.summary td { padding: 5px 8px; }
.split { margin: 10px 0; }
.split .label { margin-bottom: 3px; }
.split .bar { display: flex; height: 18px; border-radius: 3px; overflow: hidden; background: var(--line); }
.split .legend { color: var(--muted); font-size: 12px; margin-top: 3px; }
.split .legend span { margin-right: 12px; white-space: nowrap; }
.split .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.runtimes .legend { color: var(--muted); font-size: 12px; margin-bottom: 6px; }
.runtimes .legend span { margin-right: 12px; white-space: nowrap; }
.runtimes .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.rt-group { margin: 8px 0; }
.rt-bar { display: flex; align-items: center; gap: 8px; margin: 2px 0; font-variant-numeric: tabular-nums; }
.rt-name { width: 70px; color: var(--muted); font-size: 12px; }
.rt-track { flex: 1; height: 14px; background: var(--line); border-radius: 3px; overflow: hidden; }
.rt-track div { height: 100%; }
.rt-value { width: 140px; font-size: 12px; }
`;
