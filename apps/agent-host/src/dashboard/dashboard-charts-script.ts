// The dashboard's chart module, served as /dashboard/charts.js: the two uPlot charts of a sandbox type.
// Plain ES2022, no build step; kept free of template literals so it can live in this string.
/** The dashboard's charts: latency histogram with the SLA line, and provisions over time. */
export const DASHBOARD_CHARTS_JS = String.raw`
import uPlot from '/dashboard/uPlot.esm.js';

const BAD = '#c62828';
const OK = '#2f6fdd';
const HEIGHT = 190;
const charts = new WeakMap();

/** A duration short enough for an axis: 748 ms, 16 s. */
export function fmtShort(msValue) {
  return msValue >= 1000 ? +(msValue / 1000).toPrecision(2) + ' s' : Math.round(msValue) + ' ms';
}

/** Log-spaced bins from below the fastest to past the SLA, so 100 ms and 30 s both show. */
function histogram(durations, slaMs) {
  const bins = 24;
  const lo = Math.max(0.1, Math.min(slaMs, ...durations) / 1.5);
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

/** Half the card's inner width: the two charts share a row, whatever the container measured before drawing. */
function chartWidth(box) {
  const card = box.closest('section');
  return Math.max(240, Math.floor((card.clientWidth - 28 - 8) / 2));
}

/** Replaces the chart drawn in box (if any) with a new one, or with a note when there is nothing to draw. */
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
  charts.set(box, new uPlot({ width: chartWidth(box), height: HEIGHT, legend: { show: false }, ...opts }, data, box));
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

/** The SLA limit as a dashed red line: vertical at x on the histogram, horizontal at y on the timeline. */
function slaLinePlugin(scale, value, label) {
  const drawLine = (u) => {
    const pos = u.valToPos(value, scale, true);
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = BAD;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(scale === 'x' ? pos : left, scale === 'x' ? top : pos);
    ctx.lineTo(scale === 'x' ? pos : left + width, scale === 'x' ? top + height : pos);
    ctx.stroke();
    ctx.fillStyle = BAD;
    ctx.font = 12 * devicePixelRatio + 'px system-ui';
    const dpr = devicePixelRatio;
    if (scale === 'x') ctx.fillText(label, pos - 70 * dpr, top + 14 * dpr);
    else ctx.fillText(label, left + width - 70 * dpr, pos - 4 * dpr);
    ctx.restore();
  };
  return { hooks: { draw: [drawLine] } };
}

/** Whole decades around the data and the SLA, so the SLA line is always on the chart. */
function logRange(slaMs) {
  return (u, min, max) => [
    Math.pow(10, Math.floor(Math.log10(Math.min(min ?? slaMs, slaMs)))),
    Math.pow(10, Math.ceil(Math.log10(Math.max(max ?? slaMs, slaMs) * 1.5))),
  ];
}

/** From the first to the last time in xs, padded; uPlot would stretch a lone provision over years. */
function timeRange(xs) {
  const first = xs[0];
  const last = xs[xs.length - 1];
  const pad = Math.max(60, (last - first) * 0.03);
  return () => [first - pad, last + pad];
}

/** The latency distribution of rows, with the SLA limit as a dashed red line. */
export function drawHistogram(box, rows, slaMs) {
  draw(box, rows, () => {
    const h = histogram(rows.map((r) => r.durationMs), slaMs);
    const label = (u, splits) => splits.map((i) => (Number.isInteger(i) && h.centers[i] !== undefined ? fmtShort(h.centers[i]) : ''));
    const opts = {
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, h.xs.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
      axes: [axis({ values: label, space: 46 }), axis({ label: 'provisions', size: 44 })],
      series: [{}, { label: 'provisions', fill: 'rgba(47,111,221,0.55)', stroke: OK, paths: uPlot.paths.bars({ size: [0.9, 40] }), points: { show: false } }],
      plugins: [slaLinePlugin('x', h.slaIndex, 'SLA ' + fmtShort(slaMs))],
    };
    return [opts, [h.xs, h.counts]];
  });
}

/** Each provision of rows at its time, on a log scale; breaches and failures in red, the SLA dashed. */
export function drawTimeline(box, rows, slaMs) {
  draw(box, rows, () => {
    const sorted = [...rows].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    const bad = (r) => r.status !== 'ok' || r.error;
    const xs = sorted.map((r) => Date.parse(r.timestamp) / 1000);
    const opts = {
      scales: { x: { range: timeRange(xs) }, y: { distr: 3, log: 10, range: logRange(slaMs) } },
      axes: [axis({ space: 70 }), axis({ splits: decades, values: (u, splits) => splits.map(fmtShort), size: 62 })],
      series: [
        {},
        { label: 'ok', stroke: OK, paths: () => null, points: { show: true, size: 6, fill: OK } },
        { label: 'breach or failure', stroke: BAD, paths: () => null, points: { show: true, size: 7, fill: BAD } },
      ],
      plugins: [slaLinePlugin('y', slaMs, 'SLA ' + fmtShort(slaMs))],
    };
    const data = [
      xs,
      sorted.map((r) => (bad(r) ? null : Math.max(r.durationMs, 0.1))),
      sorted.map((r) => (bad(r) ? Math.max(r.durationMs, 0.1) : null)),
    ];
    return [opts, data];
  });
}
`;
