// The browser script of the `sbx bench --report` page, inlined after uPlot (its iife build, the global `uPlot`).
// Plain ES2022 and kept free of template literals so it can live in this string; it reads the run from the
// page's JSON block and draws two charts; the summary, the targets and the phase split are plain HTML.
/** The report page's script. */
export const BENCH_REPORT_JS = `
(function () {
  const run = JSON.parse(document.getElementById('bench-data').textContent);
  const COLORS = { cold: '#c0392b', hit: '#2f6fdd', miss: '#e69f00', refill: '#7a8b99', server: '#20a39e', ready: '#444' };
  const WIDTH = Math.min(940, document.querySelector('main').clientWidth);

  function fmt(v) {
    if (v === null || v === undefined) return '';
    if (v >= 1000) return +(v / 1000).toPrecision(3) + ' s';
    if (v >= 10) return Math.round(v) + ' ms';
    if (v >= 1) return +v.toPrecision(2) + ' ms';
    return +v.toPrecision(1) + ' ms';
  }

  function decades(u, axisIdx, min, max) {
    const out = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      const v = Math.pow(10, e);
      if (v >= min && v <= max) out.push(v);
    }
    return out;
  }

  function logRange(u, min, max) {
    return [Math.pow(10, Math.floor(Math.log10(Math.max(0.01, min || 0.1)))), Math.pow(10, Math.ceil(Math.log10(Math.max(1, max || 1))))];
  }

  function quantile(values, q) {
    if (values.length === 0) return null;
    const sorted = values.slice().sort(function (a, b) { return a - b; });
    return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  }

  const ok = run.requests.filter(function (r) { return r.status === 201; });
  const groups = {
    cold: ok.filter(function (r) { return r.kind === 'cold'; }),
    hit: ok.filter(function (r) { return r.kind === 'pool' && r.source === 'pool'; }),
    miss: ok.filter(function (r) { return r.kind === 'pool' && r.source === 'cold'; }),
  };

  // Latency distributions: each set's quantile at every percentile, on a log axis (lower is better).
  function drawDistribution(box) {
    const xs = [];
    for (let p = 1; p <= 100; p++) xs.push(p);
    const sets = [
      ['cold, round trip', COLORS.cold, groups.cold.map(function (r) { return r.roundTripMs; })],
      ['pool miss, round trip', COLORS.miss, groups.miss.map(function (r) { return r.roundTripMs; })],
      ['pool hit, round trip', COLORS.hit, groups.hit.map(function (r) { return r.roundTripMs; })],
      ['pool hit, server-side', COLORS.server, groups.hit.map(function (r) { return r.serverMs; })],
      ['refill (background)', COLORS.refill, run.refills.filter(function (r) { return !r.failed; }).map(function (r) { return r.durationMs; })],
    ].filter(function (s) { return s[2].length > 0; });
    const data = [xs].concat(sets.map(function (s) { return xs.map(function (p) { return Math.max(0.01, quantile(s[2], p / 100)); }); }));
    const series = [{ label: 'percentile' }].concat(sets.map(function (s) {
      return { label: s[0] + ' (n ' + s[2].length + ')', stroke: s[1], width: 2, points: { show: false }, value: function (u, v) { return fmt(v); } };
    }));
    return new uPlot({
      width: WIDTH, height: 320,
      scales: { x: { time: false, range: [0, 100] }, y: { distr: 3, log: 10, range: logRange } },
      axes: [
        { label: 'percentile of requests', values: function (u, splits) { return splits.map(function (v) { return 'p' + v; }); } },
        { label: 'latency', size: 70, splits: decades, values: function (u, splits) { return splits.map(fmt); } },
      ],
      series: series,
    }, data, box);
  }

  // The run over time: every request at the moment it was sent (its round trip, log axis), the pool's ready members (right axis).
  function drawTimeline(box) {
    const points = [];
    function add(kind, list, pick) { for (const r of list) points.push([r.atMs / 1000, kind, pick(r)]); }
    add('cold', groups.cold, function (r) { return r.roundTripMs; });
    add('hit', groups.hit, function (r) { return r.roundTripMs; });
    add('miss', groups.miss, function (r) { return r.roundTripMs; });
    for (const s of run.pool) points.push([s.atMs / 1000, 'ready', s.ready]);
    points.sort(function (a, b) { return a[0] - b[0]; });
    const kinds = ['cold', 'hit', 'miss', 'ready'];
    const data = [points.map(function (p) { return p[0]; })].concat(kinds.map(function (k) {
      return points.map(function (p) { return p[1] === k ? Math.max(0.01, p[2]) : null; });
    }));
    const dot = function (label, color) { return { label: label, stroke: color, fill: color, paths: function () { return null; }, points: { show: true, size: 6, fill: color }, value: function (u, v) { return fmt(v); } }; };
    return new uPlot({
      width: WIDTH, height: 320,
      scales: { x: { time: false }, y: { distr: 3, log: 10, range: logRange }, n: { range: [0, run.poolSize + 1] } },
      axes: [
        { label: 'seconds since the run began' },
        { label: 'round trip', size: 70, splits: decades, values: function (u, splits) { return splits.map(fmt); } },
        { scale: 'n', side: 1, label: 'pool: ready members', size: 50, grid: { show: false } },
      ],
      series: [
        { label: 'time', value: function (u, v) { return v === null ? '' : v.toFixed(3) + ' s'; } },
        dot('cold', COLORS.cold),
        dot('pool hit', COLORS.hit),
        dot('pool miss', COLORS.miss),
        { label: 'ready members', scale: 'n', stroke: COLORS.ready, width: 1.5, spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
      ],
    }, data, box);
  }

  drawDistribution(document.getElementById('chart-distribution'));
  drawTimeline(document.getElementById('chart-timeline'));
  document.body.dataset.drawn = 'yes';
})();
`;
