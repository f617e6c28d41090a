// Test helpers: a strict reader of the Prometheus text format, and Prometheus's own histogram_quantile().

/** One sample, or one histogram (its buckets by `le`, count and sum) of a family. */
export interface Sample {
  labels: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
/** A metric family: its type and samples. */
export interface Family {
  type: string;
  metrics: Sample[];
}

const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|\+Inf|-Inf|NaN)$/;

/**
 * A strict reader of the Prometheus text format (0.0.4): every line is HELP, TYPE or a sample of a declared
 * family; histogram samples are grouped by their labels without `le`.
 */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      families.set(type[1] as string, { type: type[2] as string, metrics: [] });
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a valid exposition line: ${line}`);
    const [, name = '', rawLabels = '', value = ''] = m;
    const labels = Object.fromEntries(
      [...rawLabels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const family = families.get(name) ?? families.get(base);
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    if (family.type !== 'histogram') {
      family.metrics.push({ labels, value });
      continue;
    }
    const { le, ...rest } = labels;
    const key = JSON.stringify(rest);
    let sample = family.metrics.find((s) => JSON.stringify(s.labels) === key);
    if (!sample) {
      sample = { labels: rest, buckets: {} };
      family.metrics.push(sample);
    }
    if (name.endsWith('_bucket')) (sample.buckets as Record<string, string>)[le as string] = value;
    else if (name.endsWith('_sum')) sample.sum = value;
    else sample.count = value;
  }
  return families;
}

/**
 * `histogram_quantile(q, ...)` as Prometheus 2.x computes it from cumulative buckets (`le` -> count): find the
 * bucket holding rank q * count and interpolate linearly inside it (from 0 for the first bucket).
 */
export function histogramQuantile(q: number, buckets: Record<string, number>): number {
  const sorted = Object.entries(buckets)
    .map(([le, count]) => ({ upper: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count }))
    .sort((a, b) => a.upper - b.upper);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  const i = sorted.findIndex((b) => b.count >= rank);
  const bucket = sorted[i] as { upper: number; count: number };
  if (bucket.upper === Number.POSITIVE_INFINITY) return sorted[sorted.length - 2]?.upper ?? Number.NaN;
  const previous = i === 0 ? { upper: 0, count: 0 } : (sorted[i - 1] as { upper: number; count: number });
  const start = i === 0 && bucket.upper <= 0 ? bucket.upper : previous.upper;
  return start + (bucket.upper - start) * ((rank - previous.count) / (bucket.count - previous.count));
}

/** Adds up the buckets of every histogram sample of `family` that matches `labels`. */
export function sumBuckets(
  family: Family | undefined,
  labels: Record<string, string> = {},
): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const m of family?.metrics ?? []) {
    if (!Object.entries(labels).every(([k, v]) => m.labels[k] === v)) continue;
    for (const [le, count] of Object.entries(m.buckets ?? {})) sum[le] = (sum[le] ?? 0) + Number(count);
  }
  return sum;
}
