// The dashboard's split by engine runtime, served as /dashboard/runtimes.js: a small table per type (`byRuntime`
// of GET /v1/kpis). Plain ES2022, no build step; kept free of template literals so it can live in this string.
/** The dashboard's runtime module. */
export const DASHBOARD_RUNTIMES_JS = `
import { el, ms } from '/dashboard/format.js';

/** One row per runtime of the type: its own newest provisionings and verdict; a note when none has one. */
export function renderRuntimeTable(box, type, byRuntime) {
  const entries = Object.entries(byRuntime || {});
  if (entries.length === 0) {
    box.replaceChildren(el('p', { class: 'empty', text: 'no engine runtime recorded' }));
    return;
  }
  const head = el('tr', {}, ['runtime', 'n', 'p50 ready', 'P95 for the SLA', 'verdict'].map((t) => el('th', { text: t })));
  const body = entries.map(([runtime, r]) =>
    el('tr', { 'data-testid': type + '-runtime-' + runtime }, [
      el('td', { text: runtime }),
      el('td', { class: 'num', text: String(r.last100.n) }),
      el('td', { class: 'num', text: ms(r.last100.p50Ms) }),
      el('td', { class: 'num', text: ms(r.verdict.p95Ms) }),
      el('td', { class: 'verdict ' + r.sla, text: r.sla === 'breached' ? 'breached (' + r.verdict.reason + ')' : r.sla }),
    ]),
  );
  box.replaceChildren(el('div', { class: 'scroll' }, [el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)])]));
}
`;
