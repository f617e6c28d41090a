import type { SandboxType } from '@sbx/timing';
import type { Kysely } from 'kysely';
import type { SbxDatabase } from './database.js';
import { sketchValueAt } from './latency-sketch.js';
import { buildStats, type ProvisioningStats } from './provisioning-stats.js';
import type { RowScope } from './row-scope.js';

/** Whole UTC hours `[since, until)`; `until` undefined for "up to now". */
export interface HourRange {
  since: Date;
  until: Date | undefined;
}

const HOUR_MS = 3_600_000;
const hourKey = (time: number) => new Date(time).toISOString().slice(0, 13);

/** Widens `since`/`until` to whole UTC hours: from the hour holding `since` to the end of the one holding `until`. */
export function hourRange(since: Date, until: Date | undefined): HourRange {
  const floor = (d: Date) => Math.floor(d.getTime() / HOUR_MS) * HOUR_MS;
  return {
    since: new Date(floor(since)),
    until: until === undefined ? undefined : new Date(floor(until) + HOUR_MS),
  };
}

/**
 * Stats of all of a type's provisionings, or of whole UTC hours, of the fleet or of one host or runtime (`scope`),
 * read from the rollups the triggers keep (one row per host and runtime of each period): a few hundred rows whatever
 * the table size. Counts, mean and max are exact; quantiles come from the latency sketch.
 */
export async function rollupStats(
  db: Kysely<SbxDatabase>,
  type: SandboxType,
  range?: HourRange,
  scope: RowScope = {},
): Promise<ProvisioningStats> {
  let totals = db
    .selectFrom('sandbox_provisioning_rollups')
    .select((eb) => [
      eb.fn.sum<number>('n').as('n'),
      eb.fn.sum<number>('failures').as('failures'),
      eb.fn.sum<number>('cancelled').as('cancelled'),
      eb.fn.sum<number>('caller_failures').as('caller_failures'),
      eb.fn.sum<number>('breaches').as('breaches'),
      eb.fn.sum<number>('ready_sum_ms').as('ready_sum_ms'),
      eb.fn.max('ready_max_ms').as('ready_max_ms'),
    ])
    .where('sandbox_type', '=', type);
  let buckets = db
    .selectFrom('sandbox_provisioning_latency_buckets')
    .select((eb) => ['bucket', eb.fn.sum<number>('count').as('count')])
    .where('sandbox_type', '=', type)
    .groupBy('bucket')
    .orderBy('bucket');
  // Both tables are keyed alike: the same filters pick the same periods, hosts and runtimes from each.
  const keys: ['period' | 'host_id' | 'runtime', '=' | '>=' | '<', string][] = [];
  if (scope.host !== undefined) keys.push(['host_id', '=', scope.host]);
  if (scope.runtime !== undefined) keys.push(['runtime', '=', scope.runtime]);
  if (range === undefined) keys.push(['period', '=', '']);
  else {
    // Hour keys sort as time; the all-time row '' sorts before every hour.
    keys.push(['period', '>=', hourKey(range.since.getTime())]);
    if (range.until !== undefined) keys.push(['period', '<', hourKey(range.until.getTime())]);
  }
  for (const [column, op, value] of keys) {
    totals = totals.where(column, op, value);
    buckets = buckets.where(column, op, value);
  }
  const [row, counts] = await Promise.all([totals.executeTakeFirstOrThrow(), buckets.execute()]);
  const sketch = counts.map((b) => ({ bucket: b.bucket, count: Number(b.count) }));
  return buildStats({
    sandboxType: type,
    window: range ?? 'all',
    n: Number(row.n ?? 0),
    failures: Number(row.failures ?? 0),
    cancelled: Number(row.cancelled ?? 0),
    callerFailures: Number(row.caller_failures ?? 0),
    breaches: Number(row.breaches ?? 0),
    readySumMs: Number(row.ready_sum_ms ?? 0),
    readyMaxMs: row.ready_max_ms ?? undefined,
    // The sketch answers within 1%; never above the exact maximum it also knows.
    readyAt: (rank) => {
      const value = sketchValueAt(sketch, rank);
      return value === undefined || row.ready_max_ms == null ? value : Math.min(value, row.ready_max_ms);
    },
    approximate: true,
  });
}
