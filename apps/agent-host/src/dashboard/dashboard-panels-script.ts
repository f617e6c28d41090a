// The dashboard's panels, served as /dashboard/panels.js: a type card's phase bar and latest failures, the perf
// report and the alerts table. Plain ES2022 like app.js, kept free of template literals so it can live in this string.
/** The panels' script. */
export const DASHBOARD_PANELS_JS = `
import { el, ms, stat } from '/dashboard/format.js';

const PHASE_COLORS = ['#2f6fdd', '#f29d38', '#8e5cd9', '#20a39e', '#d9487d', '#7a8b99', '#b5a021'];

// The element of a card that shows one part of it (data-part).
export function part(card, name) {
  return card.querySelector('[data-part="' + name + '"]');
}

export function renderPhases(card, phases) {
  const total = phases.reduce((sum, p) => sum + (p.meanMs || 0), 0);
  const bar = part(card, 'phases');
  const legend = part(card, 'legend');
  if (phases.length === 0 || total === 0) {
    bar.replaceChildren(el('span', { class: 'empty', text: ' no phases recorded' }));
    legend.replaceChildren();
    return;
  }
  const color = (i) => PHASE_COLORS[i % PHASE_COLORS.length];
  bar.replaceChildren(
    ...phases.map((p, i) => {
      const div = el('div', { title: p.phase + ': ' + ms(p.meanMs) });
      div.style.width = ((100 * p.meanMs) / total).toFixed(2) + '%';
      div.style.background = color(i);
      return div;
    }),
  );
  legend.replaceChildren(
    ...phases.map((p, i) => {
      const swatch = el('i');
      swatch.style.background = color(i);
      return el('span', {}, [swatch, p.phase + ' ' + ms(p.meanMs) + ' (p95 ' + ms(p.p95Ms) + ')']);
    }),
  );
}

export function renderFailures(card, failures) {
  part(card, 'failures').replaceChildren(
    ...(failures.length === 0
      ? [el('li', { class: 'empty', text: 'none' })]
      : failures.map((f) => el('li', { text: new Date(f.timestamp).toLocaleString() + ': ' + (f.error.code || f.error.name) + ': ' + f.error.message }))),
  );
}

export function renderPerf(perf) {
  document.getElementById('perf').replaceChildren(
    stat('runs', String(perf.count), 'perf-count'),
    stat('mean', ms(perf.meanMs), 'perf-mean'),
    stat('max', ms(perf.maxMs), 'perf-max'),
    stat('p95', ms(perf.p95Ms), 'perf-p95'),
    stat('alerts', String(perf.alertCount), 'perf-alerts'),
  );
}

export function renderAlerts(alerts) {
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
      el('td', { class: 'message', text: a.message }),
    ]),
  );
  box.replaceChildren(el('div', { class: 'scroll' }, [el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)])]));
}
`;
