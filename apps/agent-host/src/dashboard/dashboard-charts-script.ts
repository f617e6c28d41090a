// The dashboard's chart module, served as /dashboard/charts.js: the two uPlot charts of a sandbox type, both drawn
// from the SLA window (`trend` of GET /v1/kpis, as points in time order). Plain ES2022, no build step; kept free of
// template literals.
/** The dashboard's charts: latency histogram with the SLA line, and the window over time with its P95 line. */
export const DASHBOARD_CHARTS_JS = `
import uPlot from '/dashboard/uPlot.esm.js';
import { fmtShort } from '/dashboard/format.js';

const BAD = '#c62828';
const OK = '#2f6fdd';
const P95 = '#e08a00';
const HEIGHT = 190;
const charts = new WeakMap();

/** Log-spaced bins from below the fastest to past the SLA, so 0.1 ms and 30 s both show. */
function histogram(durations, slaMs) {
  const bins = 24;
  const lo = Math.max(0.001, Math.min(slaMs, ...durations) / 1.5);
  const hi = Math.max(slaMs, ...durations) * 1.5;
  const step = (Math.log(hi) - Math.log(lo)) / bins;
  const counts = new Array(bins).fill(0);
  for (const d of durations) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((Math.log(Math.max(d, lo)) - Math.log(lo)) / step)));
    counts[i]++;
  }
  const centers = counts.map((_, i) => Math.exp(Math.log(lo) + (i + 0.5) * step));
  const slaIndex = (Math.log(slaMs) - Math.log(lo)) / step - 0.5;
  return { xs: counts.map((_, i) => i), counts, centers, slaIndex };
}

/** Axis colours from the page's CSS variables, so the labels stay readable in dark mode. */
function axis(extra) {
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim() || '#000';
  const line = css.getPropertyValue('--line').trim() || '#ddd';
  return { stroke: fg, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, ...extra };
}

/** Replaces the chart drawn in box (if any) with a new one as wide as the box, or with a note when there is nothing to draw. */
function draw(box, rows, make) {
  charts.get(box)?.destroy();
  charts.delete(box);
  box.replaceChildren();
  if (rows.length === 0) {
    const note = document.createElement('p');
    note.className = 'empty no-chart';
    note.textContent = 'no provisions recorded yet';
    box.append(note);
    return;
  }
  const [opts, data] = make();
  const width = Math.max(200, Math.floor(box.clientWidth));
  charts.set(box, new uPlot({ width, height: HEIGHT, legend: { show: false }, ...opts }, data, box));
}

/** Powers of ten only, so a log axis carries a few readable labels. */
function decades(u, axisIdx, min, max) {
  const out = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    const v = Math.pow(10, e);
    if (v >= min && v <= max) out.push(v);
  }
  return out;
}

/** Axis labels for durations; uPlot hands null for the splits it leaves unlabelled, which must stay blank. */
function durationLabels(box) {
  return (u, splits) => {
    const labels = splits.map((v) => (v === null || v === undefined ? '' : fmtShort(v)));
    box.dataset.yLabels = labels.filter(Boolean).join('|');
    return labels;
  };
}

/** The SLA limit as a dashed red line: vertical at x on the histogram, horizontal at y on the timeline. */
function slaLinePlugin(scale, value, label) {
  const drawLine = (u) => {
    const pos = u.valToPos(value, scale, true);
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    const dpr = devicePixelRatio;
    ctx.save();
    ctx.strokeStyle = BAD;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(scale === 'x' ? pos : left, scale === 'x' ? top : pos);
    ctx.lineTo(scale === 'x' ? pos : left + width, scale === 'x' ? top + height : pos);
    ctx.stroke();
    ctx.fillStyle = BAD;
    ctx.font = 12 * dpr + 'px system-ui';
    if (scale === 'x') ctx.fillText(label, pos - 70 * dpr, top + 14 * dpr);
    else ctx.fillText(label, left + width - 70 * dpr, pos - 4 * dpr);
    ctx.restore();
  };
  return { hooks: { draw: [drawLine] } };
}

/** From the first to the last time in xs, padded; uPlot would stretch a lone provision over years. */
function timeRange(xs) {
  const first = xs[0];
  const last = xs[xs.length - 1];
  const pad = Math.max(60, (last - first) * 0.03);
  return () => [first - pad, last + pad];
}

/** The window's ready latencies; failures never became ready, so they are counted in the caption, not binned. */
export function drawHistogram(box, trend, slaMs) {
  const ready = trend.filter((p) => !p.failed).map((p) => p.durationMs);
  box.dataset.n = String(ready.length);
  box.dataset.failed = String(trend.length - ready.length);
  draw(box, ready, () => {
    const h = histogram(ready, slaMs);
    const label = (u, splits) => splits.map((i) => (Number.isInteger(i) && h.centers[i] !== undefined ? fmtShort(h.centers[i]) : ''));
    const failed = trend.length - ready.length;
    const opts = {
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, h.xs.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
      axes: [axis({ values: label, space: 46 }), axis({ label: failed > 0 ? 'ready (+' + failed + ' failed)' : 'ready', size: 44 })],
      series: [{}, { label: 'provisions', fill: 'rgba(47,111,221,0.55)', stroke: OK, paths: uPlot.paths.bars({ size: [0.9, 40] }), points: { show: false } }],
      plugins: [slaLinePlugin('x', h.slaIndex, 'SLA ' + fmtShort(slaMs))],
    };
    return [opts, [h.xs, h.counts]];
  });
}

/**
 * The window in time order on a log scale: ready provisionings (red when over the limit), failures as red marks on
 * the top line (they never became ready), the SLA dashed, and the verdict's P95 at each provisioning as a line
 * (on the top line while a failure holds the P95 rank).
 */
export function drawTimeline(box, trend, slaMs) {
  draw(box, trend, () => {
    const sorted = trend;
    const finite = sorted.flatMap((p) => [p.durationMs, p.p95Ms]).filter((v) => typeof v === 'number' && v > 0);
    const lo = Math.pow(10, Math.floor(Math.log10(Math.min(slaMs, ...finite))));
    const top = Math.pow(10, Math.ceil(Math.log10(Math.max(slaMs, ...finite) * 1.5)));
    const xs = sorted.map((p) => p.timestamp / 1000);
    const y = (v) => Math.min(top, Math.max(lo, v));
    const series = [
      ['ok', sorted.map((p) => (!p.failed && p.durationMs <= slaMs ? y(p.durationMs) : null)), OK, 5],
      ['over the limit', sorted.map((p) => (!p.failed && p.durationMs > slaMs ? y(p.durationMs) : null)), BAD, 6],
      ['failed', sorted.map((p) => (p.failed ? top : null)), BAD, 8],
    ];
    const p95 = sorted.map((p) => (p.p95Ms === '+Inf' ? top : y(p.p95Ms)));
    box.dataset.series = JSON.stringify({ p95: p95.length, failed: series[2][1].filter((v) => v !== null).length });
    const opts = {
      scales: { x: { range: timeRange(xs) }, y: { distr: 3, log: 10, range: () => [lo, top] } },
      axes: [axis({ space: 70 }), axis({ splits: decades, values: durationLabels(box), size: 62 })],
      series: [
        {},
        ...series.map(([label, , color, size]) => ({ label, stroke: color, paths: () => null, points: { show: true, size, fill: color } })),
        { label: 'P95 of the newest 100', stroke: P95, width: 2, points: { show: false }, paths: uPlot.paths.stepped({ align: 1 }) },
      ],
      plugins: [slaLinePlugin('y', slaMs, 'SLA ' + fmtShort(slaMs))],
    };
    return [opts, [xs, ...series.map((s) => s[1]), p95]];
  });
}
`;
