// The dashboard's browser module, served as /dashboard/app.js. Plain ES2022, no build step; it polls the
// host's JSON API and redraws; charts and formatting are in their own modules. Kept free of template
// literals so it can live in this string.
/** The dashboard's script. */
export const DASHBOARD_JS = String.raw`
import { drawHistogram, drawTimeline } from '/dashboard/charts.js';
import { el, fillPicker, ms, percent, stat, verdictText, verdictWhy } from '/dashboard/format.js';
import { part, renderAlerts, renderFailures, renderPerf, renderPhases } from '/dashboard/panels.js';
import { renderRuntimeTable } from '/dashboard/runtimes.js';

const REFRESH_MS = 5000;
let last;
// The host picker: '' is the whole fleet; '?host=X' in the address opens on one agent host.
let host = new URLSearchParams(location.search).get('host') || '';
// The runtime picker: '' is every runtime; '?runtime=X' narrows every figure to one engine runtime.
let runtime = new URLSearchParams(location.search).get('runtime') || '';

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(path + ' answered ' + res.status);
  return res.json();
}

function typeCard(type, window) {
  let card = document.getElementById('type-' + type);
  if (card) return card;
  card = el('section', { class: 'card', id: 'type-' + type }, [
    el('h2', {}, [el('span', { text: type }), el('span', { class: 'badge', 'data-testid': type + '-sla' })]),
    el('p', { class: 'why', 'data-part': 'why', 'data-testid': type + '-verdict-why' }),
    el('h3', { text: 'The window: the newest ' + window + ' valid provisionings (cancelled ones left out); cards, charts and verdict' }),
    el('div', { class: 'stats', 'data-part': 'stats' }),
    el('h3', { 'data-part': 'all-title', text: 'All time (quantiles within 1%)' }),
    el('div', { class: 'stats', 'data-part': 'all' }),
    el('div', { class: 'charts' }, [
      el('div', { class: 'chart' }, [el('h3', { text: 'Latency of the window\'s ready provisionings, SLA in red' }), el('div', { 'data-part': 'hist', 'data-testid': type + '-hist' })]),
      el('div', { class: 'chart' }, [el('h3', { text: 'The window over time: each provisioning and the P95 line against the SLA' }), el('div', { 'data-part': 'time', 'data-testid': type + '-time' })]),
    ]),
    el('h3', { text: 'By engine runtime (each judged over its own newest ' + window + ')' }),
    el('div', { 'data-part': 'runtimes', 'data-testid': type + '-runtimes' }),
    el('h3', { text: 'Where the time goes (mean per phase, the window)' }),
    el('div', { class: 'phases', 'data-part': 'phases', 'data-testid': type + '-phases' }),
    el('div', { class: 'legend', 'data-part': 'legend' }),
    el('h3', { text: 'Latest failures in the window' }),
    el('ul', { class: 'failures', 'data-part': 'failures' }),
  ]);
  document.getElementById('types').append(card);
  return card;
}

function renderStats(card, type, k) {
  const l = k.last100;
  // An older host's snapshot lacks a figure (caller failures, all-time): a dash, never a broken page.
  const count = (x) => (x === undefined ? '-' : String(x));
  const a = k.allTime;
  const v = k.verdict;
  part(card, 'stats').replaceChildren(
    stat('SLA limit', ms(k.slaLimitMs), type + '-sla-limit'),
    stat('P95 for the SLA', ms(v.p95Ms), type + '-p95-sla'),
    stat('p50 ready', ms(l.p50Ms), type + '-p50-last100'),
    stat('p95 ready', ms(l.p95Ms), type + '-p95-last100'),
    stat('p99 ready', ms(l.p99Ms), type + '-p99-last100'),
    stat('n', String(l.n), type + '-n-last100'),
    stat('breaches / failures', l.slaBreaches + ' / ' + l.failures, type + '-breaches-failures'),
    stat('cancelled', String(l.cancelled), type + '-cancelled'),
    // The caller's own mistakes (a missing image, a command that exits): shown apart, never judged.
    stat('caller failures', count(l.callerFailures), type + '-caller-failures'),
    stat('success rate', percent(l.successRate), type + '-success-rate'),
    // Warm pools: hand-outs from a pool and cold ones apart; refills and client reports are shown, never judged.
    ...['pool', 'cold', 'refill', 'client']
      .filter((source) => k.bySource && k.bySource[source] && k.bySource[source].n > 0 && (source !== 'cold' || ['pool', 'refill', 'client'].some((s) => k.bySource[s] && k.bySource[s].n > 0)))
      .map((source) => stat(source + ' p50 / p95 (n ' + k.bySource[source].n + ')', ms(k.bySource[source].p50Ms) + ' / ' + ms(k.bySource[source].p95Ms), type + '-' + source)),
  );
  // A snapshot without all-time figures (an older host's one-host view) shows dashes, never breaks the page.
  const none = { n: undefined, failures: undefined, cancelled: undefined, callerFailures: undefined };
  const all = a || none;
  part(card, 'all-title').textContent = 'All time' + (host ? ' on ' + host : ' (the fleet)') + (runtime ? ' on ' + runtime : '') + ' (quantiles within 1%)' +
    (k.last24h ? '; last 24 h: n ' + k.last24h.n + ', p95 ' + ms(k.last24h.p95Ms) : '');
  part(card, 'all').replaceChildren(
    stat('n', count(all.n), type + '-n-all'),
    stat('p50 ready', ms(all.p50Ms), type + '-p50-all'),
    stat('p95 ready', ms(all.p95Ms), type + '-p95-all'),
    stat('p99 ready', ms(all.p99Ms), type + '-p99-all'),
    stat('max ready', ms(all.maxMs), type + '-max-all'),
    stat('failures', count(all.failures), type + '-failures-all'),
    stat('cancelled', count(all.cancelled), type + '-cancelled-all'),
    stat('caller failures', count(all.callerFailures), type + '-caller-failures-all'),
  );
  const badge = card.querySelector('.badge');
  badge.textContent = verdictText(v);
  badge.className = 'badge ' + v.status;
  part(card, 'why').textContent = verdictWhy(v);
}

// Every card exists before any chart is sized, so the grid has its final columns.
function renderTypes(kpis) {
  const types = Object.keys(kpis.types);
  const cards = types.map((type) => typeCard(type, kpis.window));
  types.forEach((type, i) => {
    const k = kpis.types[type];
    renderStats(cards[i], type, k);
    const t = k.trend;
    const points = t.timestamps.map((timestamp, j) => ({ timestamp, durationMs: t.durationsMs[j], failed: t.failed[j], p95Ms: t.p95Ms[j] }));
    drawHistogram(part(cards[i], 'hist'), points, k.slaLimitMs);
    drawTimeline(part(cards[i], 'time'), points, k.slaLimitMs);
    renderRuntimeTable(part(cards[i], 'runtimes'), type, k.byRuntime);
    renderPhases(cards[i], k.phases);
    renderFailures(cards[i], k.latestFailures);
  });
}

// While results wait in the host's spool (the database is away), say so above everything: the figures below
// are missing them until the spool is flushed. Read from /healthz, which answers without the database.
async function renderStoreBanner() {
  const banner = document.getElementById('store-banner');
  try {
    const store = (await getJson('/healthz')).store;
    if (!store || store.status === 'ok') {
      banner.hidden = true;
      return;
    }
    const age = Math.round(store.oldestAgeSeconds);
    banner.className = 'banner' + (store.status === 'down' ? ' down' : '');
    banner.textContent = store.status === 'down'
      ? 'The database is unreachable and the spool is full: new provisionings are refused. ' + (store.reason || '')
      : store.spooled + ' result(s) are spooled on this host (the oldest ' + age + ' s ago): the database is not taking writes; they are stored, in order, once it is back.';
    banner.hidden = false;
  } catch {
    banner.hidden = true;
  }
}

async function refresh() {
  void renderStoreBanner();
  const status = document.querySelector('[data-testid="refreshed"]');
  try {
    const asked = host + ' ' + runtime;
    const query = new URLSearchParams();
    if (host) query.set('host', host);
    if (runtime) query.set('runtime', runtime);
    const search = query.toString();
    const kpisPath = '/v1/kpis' + (search ? '?' + search : '');
    const [kpis, perf, alerts, hosts] = await Promise.all([getJson(kpisPath), getJson('/v1/perf/report'), getJson('/v1/alerts?limit=8'), getJson('/v1/hosts')]);
    // A host or runtime picked while this refresh was under way: its own refresh draws it.
    if (asked !== host + ' ' + runtime) return;
    last = kpis;
    // The hosts and runtimes recorded into the database; the one in the address stays listed even before it has rows.
    fillPicker(document.getElementById('host'), hosts.rows.map((r) => r.hostId), host, 'whole fleet');
    fillPicker(document.getElementById('runtime'), (kpis.runtimes || []).map((r) => r.runtime), runtime, 'every runtime');
    renderTypes(kpis);
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

// Charts are sized to their box: redraw them when the window changes size (a rotated phone, a split screen).
let resizing;
addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => last && renderTypes(last), 150);
});

// A picked host or runtime goes into the address, so a reload or a shared link opens on it.
function picked(name, value) {
  const url = new URL(location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  history.replaceState(null, '', url);
  void refresh();
}
document.getElementById('host').addEventListener('change', (event) => {
  host = event.target.value;
  picked('host', host);
});
document.getElementById('runtime').addEventListener('change', (event) => {
  runtime = event.target.value;
  picked('runtime', runtime);
});

// The next poll is scheduled once this one is done, so a slow host never has refreshes piling up.
async function poll() {
  await refresh();
  setTimeout(poll, REFRESH_MS);
}

await poll();
`;
