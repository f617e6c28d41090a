// The browser script of the `sbx bench tti --report` page, inlined after uPlot (its iife build, the global
// `uPlot`). Plain ES2022, no template literals (it lives in this string); it reads the run from the page's JSON
// block and draws one chart per mode: each series' TTI at every percentile, on a log axis.
/** The TTI report page's script. */
export const TTI_REPORT_JS = `
(function () {
  const run = JSON.parse(document.getElementById('tti-data').textContent);
  const COLORS = { cold: '#c0392b', pool: '#2f6fdd', 'pool-small': '#e69f00', dockerode: '#444444', 'docker-run': '#8e8e8e' };
  const WIDTH = Math.min(940, document.querySelector('main').clientWidth);

  function fmt(v) {
    if (v === null || v === undefined) return '';
    if (v >= 1000) return +(v / 1000).toPrecision(3) + ' s';
    if (v >= 10) return Math.round(v) + ' ms';
    return +v.toPrecision(2) + ' ms';
  }
  function decades(u, axisIdx, min, max) {
    const out = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of [1, 2, 5]) { const v = m * Math.pow(10, e); if (v >= min && v <= max) out.push(v); }
    }
    return out;
  }
  function logRange(u, min, max) {
    return [Math.pow(10, Math.floor(Math.log10(Math.max(1, min || 1)))), Math.pow(10, Math.ceil(Math.log10(Math.max(10, max || 10))))];
  }
  function quantile(sorted, q) {
    return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  }

  for (const mode of run.modes) {
    const box = document.getElementById('chart-' + mode);
    if (!box) continue;
    const xs = [];
    for (let p = 1; p <= 100; p++) xs.push(p);
    const sets = run.series.filter(function (s) { return s.mode === mode || (mode === 'sequential' && s.source === 'docker-run'); })
      .map(function (s) {
        const times = s.samples.filter(function (x) { return x.ok; }).map(function (x) { return x.ttiMs; }).sort(function (a, b) { return a - b; });
        return { s: s, times: times };
      })
      .filter(function (x) { return x.times.length > 0; });
    const dashed = run.runtimes.length > 1;
    const data = [xs].concat(sets.map(function (x) { return xs.map(function (p) { return quantile(x.times, p / 100); }); }));
    const series = [{ label: 'percentile' }].concat(sets.map(function (x) {
      const rt = run.runtimes.indexOf(x.s.runtime);
      const label = x.s.runtime + ' ' + x.s.source + (x.s.poolSize ? ' (pool of ' + x.s.poolSize + ')' : '') + ' n ' + x.times.length;
      return { label: label, stroke: COLORS[x.s.source], width: 2, dash: dashed && rt > 0 ? [6, 4] : undefined, points: { show: false }, value: function (u, v) { return fmt(v); } };
    }));
    new uPlot({
      width: WIDTH, height: 300,
      scales: { x: { time: false, range: [0, 100] }, y: { distr: 3, log: 10, range: logRange } },
      axes: [
        { label: 'percentile of iterations', values: function (u, splits) { return splits.map(function (v) { return 'p' + v; }); } },
        { label: 'time to interactive', size: 70, splits: decades, values: function (u, splits) { return splits.map(fmt); } },
      ],
      series: series,
    }, data, box);
  }
  document.body.dataset.drawn = 'yes';
})();
`;
