// The dashboard's formatting and DOM helpers, served as /dashboard/format.js. Plain ES2022, no build step; kept
// free of template literals so it can live in this string.
/** The dashboard's formatting module. */
export const DASHBOARD_FORMAT_JS = `
/** A duration short enough for an axis: 100 s, 1.5 s, 250 ms, 2.5 ms, 0.1 ms, 20 µs; '' for a label uPlot skipped. */
export function fmtShort(msValue) {
  if (msValue === null || msValue === undefined || !Number.isFinite(msValue)) return '';
  if (msValue >= 1000) return +(msValue / 1000).toPrecision(2) + ' s';
  if (msValue >= 10) return Math.round(msValue) + ' ms';
  if (msValue >= 0.1) return +msValue.toPrecision(2) + ' ms';
  if (msValue > 0) return +(msValue * 1000).toPrecision(2) + ' µs';
  return '0';
}

/** Milliseconds as the CLI prints them: one decimal; a failure at the P95 rank ('+Inf') reads as such; '-' when unknown. */
export function ms(value) {
  if (value === '+Inf') return '∞ (failed)';
  return value === undefined || value === null || Number.isNaN(value) ? '-' : value.toFixed(1) + ' ms';
}

/** A fraction as a percentage with one decimal, or '-'. */
export function percent(value) {
  return value === undefined || value === null ? '-' : (value * 100).toFixed(1) + ' %';
}

/** A DOM element with attributes (text for its text) and children. */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children || []) node.append(child);
  return node;
}

/**
 * Fills a select with an option for everything (value '') and one per value; the current one stays listed even
 * before it has rows. Left as it is when the options are the same, so an open picker is not reset.
 */
export function fillPicker(picker, values, current, everything) {
  const names = values.slice();
  if (current && !names.includes(current)) names.push(current);
  const options = [el('option', { value: '', text: everything })].concat(
    names.map((name) => el('option', { value: name, text: name })),
  );
  const same = picker.options.length === options.length && options.every((o, i) => picker.options[i].value === o.value);
  if (!same) picker.replaceChildren(...options);
  picker.value = current;
}

/** One stat tile: a label and a value with a test id. */
export function stat(label, value, testid) {
  return el('div', { class: 'stat' }, [
    el('div', { class: 'label', text: label }),
    el('div', { class: 'value', text: value, 'data-testid': testid }),
  ]);
}

/** The verdict in a few words, for the badge: 'SLA met', 'SLA breached (failures)', 'no data'. */
export function verdictText(verdict) {
  if (verdict.status === 'no-data') return 'no data';
  return verdict.status === 'met' ? 'SLA met' : 'SLA breached (' + verdict.reason + ')';
}

/** Why, in a sentence: what the P95 is, against what, and how many breaches the window holds and may hold. */
export function verdictWhy(verdict) {
  if (verdict.status === 'no-data') {
    const left = (verdict.cancelled || 0) + (verdict.callerFailures || 0);
    return left > 0 ? 'only cancelled provisionings or caller failures so far (' + left + '): nothing to judge' : 'nothing provisioned yet';
  }
  const p95 = verdict.p95Ms === '+Inf' ? 'a failure' : ms(verdict.p95Ms);
  return 'P95 of the newest ' + verdict.n + ' valid provisionings is ' + p95 + ' (limit ' + ms(verdict.slaLimitMs) + '): ' +
    verdict.breaches + ' breached (' + verdict.failures + ' failed), ' + verdict.allowedBreaches + ' allowed' +
    (verdict.cancelled > 0 ? '; ' + verdict.cancelled + ' cancelled, left out' : '') +
    (verdict.callerFailures > 0 ? '; ' + verdict.callerFailures + " failed by the caller's doing, left out" : '');
}
`;
