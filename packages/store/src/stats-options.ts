import { type HourRange, hourRange } from './rollup-stats.js';
import type { SourceFilter } from './source-filter.js';
import { invalid, isoDate, windowSize } from './validate.js';

/** Options of `getStats()`: the newest `window` valid provisionings (default 100), `'all'`, or UTC hours from `since`. */
export interface StatsOptions {
  window?: number | 'all';
  /** Widened to whole UTC hours: from the hour holding `since` through the hour holding `until` (default: no end). */
  since?: Date;
  until?: Date;
  /** Only the provisionings this agent host measured (default: the whole fleet); windows, all time and hours alike. */
  host?: string;
  /** Only the provisionings made under this engine runtime (`runc`, `runsc`); windows, all time and hours alike. */
  runtime?: string;
  /** Which sources a window reads (default `'user'`: refills left out). Windows only: rollups count every source. */
  source?: SourceFilter;
}

/** Validates `options` into what to read: a window size, `'all'`, or whole hours; `INVALID_INPUT` otherwise. */
export function statsScope(options: StatsOptions, fallback: number, max: number): number | 'all' | HourRange {
  if (options.source !== undefined && (options.since !== undefined || options.window === 'all')) {
    invalid('source', 'works with a window of rows only: all-time and hourly figures count every source');
  }
  if (options.since !== undefined || options.until !== undefined) {
    if (options.window !== undefined) invalid('window', 'cannot be combined with since/until');
    if (options.since === undefined) invalid('since', 'is required with until');
    isoDate(options.since, 'since');
    if (options.until !== undefined) isoDate(options.until, 'until');
    return hourRange(options.since, options.until);
  }
  const window = windowSize(options.window, fallback, true);
  if (window !== 'all' && window > max) invalid('window', `must be at most ${max}, got ${window}`);
  return window;
}
