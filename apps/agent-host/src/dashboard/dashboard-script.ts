// The dashboard's browser module, served as /dashboard/app.js. Plain ES2022, no build step; it polls the
// host's JSON API and redraws; the charts are in dashboard-charts-script.ts. Kept free of template
// literals so it can live in this string.
/** The dashboard's script. */
export const DASHBOARD_JS = String.raw`
import { drawHistogram, drawTimeline } from '/dashboard/charts.js';

const REFRESH_MS = 5000;
const TYPES = ['docker', 'webcontainer'];
const PHASE_COLORS = ['#2f6fdd', '#f29d38', '#8e5cd9', '#20a39e', '#d9487d', '#7a8b99', '#b5a021'];

/** Milliseconds as the CLI prints them: one decimal, or a dash when unknown. */
export function ms(value) {
  return value === undefined || value === null || Number.isNaN(value) ? '-' : value.toFixed(1) + ' ms';
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children || []) node.append(child);
  return node;
}

function stat(label, value, testid) {
  return el('div', { class: 'stat' }, [
    el('div', { class: 'label', text: label }),
    el('div', { class: 'value', text: value, 'data-testid': testid }),
  ]);
}

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(path + ' answered ' + res.status);
  return res.json();
}

function typeCard(type) {
  let card = document.getElementById('type-' + type);
  if (card) return card;
  card = el('section', { class: 'card', id: 'type-' + type }, [
    el('h2', {}, [el('span', { text: type }), el('span', { class: 'badge', 'data-testid': type + '-sla' })]),
    el('div', { class: 'stats', 'data-part': 'stats' }),
    el('div', { class: 'charts' }, [
      el('div', { class: 'chart' }, [el('h3', { text: 'Latency distribution (newest 500), SLA line in red' }), el('div', { 'data-part': 'hist' })]),
      el('div', { class: 'chart' }, [el('h3', { text: 'Recent provisions over time (breaches and failures in red)' }), el('div', { 'data-part': 'time' })]),
    ]),
    el('h3', { text: 'Where the time goes (mean per phase, newest 100)' }),
    el('div', { class: 'phases', 'data-part': 'phases', 'data-testid': type + '-phases' }),
    el('div', { class: 'legend', 'data-part': 'legend' }),
    el('h3', { text: 'Latest failures' }),
    el('ul', { class: 'failures', 'data-part': 'failures' }),
  ]);
  document.getElementById('types').append(card);
  return card;
}

function part(card, name) {
  return card.querySelector('[data-part="' + name + '"]');
}

function renderStats(card, type, k) {
  const l = k.last100;
  const a = k.allTime;
  const rate = l.successRate === undefined ? '-' : (l.successRate * 100).toFixed(1) + ' %';
  part(card, 'stats').replaceChildren(
    stat('SLA limit', ms(k.slaLimitMs), type + '-sla-limit'),
    stat('p50 (last 100)', ms(l.p50Ms), type + '-p50-last100'),
    stat('p95 (last 100)', ms(k.p95Last100), type + '-p95-last100'),
    stat('p99 (last 100)', ms(l.p99Ms), type + '-p99-last100'),
    stat('n (last 100)', String(l.n), type + '-n-last100'),
    stat('breaches / failures', l.slaBreaches + ' / ' + l.failures, type + '-breaches-failures'),
    stat('p50 (all time)', ms(a.p50Ms), type + '-p50-all'),
    stat('p95 (all time)', ms(a.p95Ms), type + '-p95-all'),
    stat('p99 (all time)', ms(a.p99Ms), type + '-p99-all'),
    stat('n (all time)', String(a.n), type + '-n-all'),
    stat('max (all time)', ms(a.maxMs), type + '-max-all'),
    stat('success rate', rate, type + '-success-rate'),
    // Warm pools: hand-outs from a pool and cold ones apart; refills are shown, never judged.
    ...['pool', 'cold', 'refill']
      .filter((source) => k.bySource && k.bySource[source] && k.bySource[source].n > 0 && (source !== 'cold' || k.bySource.pool.n > 0 || k.bySource.refill.n > 0))
      .map((source) => stat(source + ' p50 / p95 (n ' + k.bySource[source].n + ')', ms(k.bySource[source].p50Ms) + ' / ' + ms(k.bySource[source].p95Ms), type + '-' + source)),
  );
  const badge = card.querySelector('.badge');
  badge.textContent = k.sla === 'no-data' ? 'no data' : 'SLA ' + k.sla;
  badge.className = 'badge ' + k.sla;
}

function renderPhases(card, phases) {
  const total = phases.reduce((sum, p) => sum + (p.meanMs || 0), 0);
  const bar = part(card, 'phases');
  const legend = part(card, 'legend');
  if (phases.length === 0 || total === 0) {
    bar.replaceChildren(el('span', { class: 'empty', text: ' no phases recorded' }));
    legend.replaceChildren();
    return;
  }
  bar.replaceChildren(
    ...phases.map((p, i) => {
      const div = el('div', { title: p.phase + ': ' + ms(p.meanMs) });
      div.style.width = ((100 * p.meanMs) / total).toFixed(2) + '%';
      div.style.background = PHASE_COLORS[i % PHASE_COLORS.length];
      return div;
    }),
  );
  legend.replaceChildren(
    ...phases.map((p, i) => {
      const swatch = el('i');
      swatch.style.background = PHASE_COLORS[i % PHASE_COLORS.length];
      return el('span', {}, [swatch, p.phase + ' ' + ms(p.meanMs) + ' (p95 ' + ms(p.p95Ms) + ')']);
    }),
  );
}

function renderFailures(card, rows) {
  const failed = rows.filter((r) => r.error).slice(0, 3);
  part(card, 'failures').replaceChildren(
    ...(failed.length === 0
      ? [el('li', { class: 'empty', text: 'none' })]
      : failed.map((r) => el('li', { text: new Date(r.timestamp).toLocaleString() + ': ' + (r.error.code || r.error.name) + ': ' + r.error.message }))),
  );
}

function renderPerf(perf) {
  document.getElementById('perf').replaceChildren(
    stat('runs', String(perf.count), 'perf-count'),
    stat('mean', ms(perf.meanMs), 'perf-mean'),
    stat('max', ms(perf.maxMs), 'perf-max'),
    stat('p95', ms(perf.p95Ms), 'perf-p95'),
    stat('alerts', String(perf.alertCount), 'perf-alerts'),
  );
}

function renderAlerts(alerts) {
  const box = document.getElementById('alerts');
  if (alerts.length === 0) {
    box.replaceChildren(el('p', { class: 'empty', text: 'no alerts' }));
    return;
  }
  const head = el('tr', {}, ['when', 'what', 'value', 'threshold', 'message'].map((t) => el('th', { text: t })));
  const body = alerts.map((a) =>
    el('tr', { 'data-testid': 'alert-row' }, [
      el('td', { class: 'num', text: new Date(a.createdAt).toLocaleTimeString() }),
      el('td', { text: a.kind + (a.sandboxType ? ' (' + a.sandboxType + ')' : '') }),
      el('td', { class: 'num', text: ms(a.valueMs) }),
      el('td', { class: 'num', text: ms(a.thresholdMs) }),
      el('td', { text: a.message }),
    ]),
  );
  box.replaceChildren(el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)]));
}

async function refresh() {
  const status = document.querySelector('[data-testid="refreshed"]');
  try {
    const [kpis, perf, alerts, ...recent] = await Promise.all([
      getJson('/v1/kpis'),
      getJson('/v1/perf/report'),
      getJson('/v1/alerts?limit=8'),
      ...TYPES.map((t) => getJson('/v1/provisions?type=' + t + '&limit=500')),
    ]);
    // Every card exists before any chart is sized, so the grid has its final columns.
    const cards = TYPES.map(typeCard);
    TYPES.forEach((type, i) => {
      const k = kpis.types[type];
      // The charts show what callers waited for; a pool's background refills are in their own stat.
      const rows = recent[i].rows.filter((r) => r.source !== 'refill');
      const card = cards[i];
      renderStats(card, type, k);
      drawHistogram(part(card, 'hist'), rows, k.slaLimitMs);
      drawTimeline(part(card, 'time'), rows, k.slaLimitMs);
      renderPhases(card, k.phases);
      renderFailures(card, rows);
    });
    renderPerf(perf);
    renderAlerts(alerts.rows);
    status.className = 'status';
    status.textContent = 'refreshed ' + new Date().toLocaleTimeString() + ' (every ' + REFRESH_MS / 1000 + ' s)';
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
  } catch (error) {
    status.className = 'status error';
    status.textContent = 'refresh failed: ' + error.message;
  }
}

// The next poll is scheduled once this one is done, so a slow host never has refreshes piling up.
async function poll() {
  await refresh();
  setTimeout(poll, REFRESH_MS);
}

await poll();
`;
