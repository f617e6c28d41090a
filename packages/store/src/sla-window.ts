import { type ProvisionErrorInfo, type SandboxType, SLA_LIMITS, type SlaSample, tallySla } from '@sbx/timing';
import type { Kysely } from 'kysely';
import type { SbxDatabase } from './database.js';
import { buildStats, type ProvisioningStats } from './provisioning-stats.js';
import { isNarrowed, type RowScope, whereScope } from './row-scope.js';
import { type SourceFilter, whereJudged, whereSource } from './source-filter.js';
import { dialectOf, insertionOrder } from './sql-dialect.js';

/** One provisioning of an SLA window (never a cancelled one nor a caller's failure), as `listSlaWindow()` returns it. */
export interface SlaWindowRow extends SlaSample {
  /** Wall-clock start. */
  timestamp: Date;
  status: 'ok' | 'sla_breach';
  /** Present when it failed. */
  error?: ProvisionErrorInfo;
}

/**
 * The newest valid provisionings of a type, newest first, and the cancelled ones and caller failures in their
 * time span.
 */
export interface SlaWindow {
  rows: SlaWindowRow[];
  cancelled: number;
  callerFailures: number;
}

/**
 * Reads the newest `size` provisionings of `type` the verdict judges (neither cancelled nor failed by their caller)
 * and counts the cancelled ones and caller failures newer than the oldest of them (all of the type's, from the
 * rollup, when fewer). With a narrowed `scope` or a `source`, only those rows (the counts then come from them).
 */
export async function readSlaWindow(
  db: Kysely<SbxDatabase>,
  type: SandboxType,
  size: number,
  scope: RowScope = {},
  source: SourceFilter | 'all' = 'all',
): Promise<SlaWindow> {
  const order = insertionOrder(dialectOf(db));
  let query = db
    .selectFrom('sandbox_provisioning_kpis')
    .select([
      order.as('insertion'),
      'timestamp',
      'duration_ms',
      'status',
      'sla_limit_ms',
      'error_name',
      'error_message',
      'error_code',
      'failure_cause',
    ])
    .where('sandbox_type', '=', type);
  query = whereScope(whereSource(whereJudged(query), source), scope);
  const raw = await query.orderBy('timestamp', 'desc').orderBy(order, 'desc').limit(size).execute();
  const oldest = raw[raw.length - 1];
  const full = oldest !== undefined && raw.length >= size;
  let left: { cancelled: unknown; caller: unknown } | undefined;
  if (!full && !isNarrowed(scope) && source === 'all') {
    // Fewer valid rows than the window holds: every one left out of the type counts, and the rollup has them.
    left = await db
      .selectFrom('sandbox_provisioning_rollups')
      .select((eb) => [
        eb.fn.sum<number>('cancelled').as('cancelled'),
        eb.fn.sum<number>('caller_failures').as('caller'),
      ])
      .where('sandbox_type', '=', type)
      .where('period', '=', '')
      .executeTakeFirst();
  } else {
    // A full window counts the rows left out in its time span, a narrowed one its own (the rollups count every source).
    let count = whereSource(
      db
        .selectFrom('sandbox_provisioning_kpis')
        .select((eb) => [
          eb.fn.sum<number>('cancelled').as('cancelled'),
          eb.fn.sum<number>(eb.case().when('cancelled', '=', 0).then(1).else(0).end()).as('caller'),
        ])
        .where('sandbox_type', '=', type)
        .where((eb) => eb.or([eb('cancelled', '=', 1), eb('failure_cause', '=', 'caller')])),
      source,
    );
    count = whereScope(count, scope);
    if (full) {
      count = count
        .where('timestamp', '>=', oldest.timestamp)
        .where((eb) => eb.or([eb('timestamp', '>', oldest.timestamp), eb(order, '>', oldest.insertion)]));
    }
    left = await count.executeTakeFirstOrThrow();
  }
  const cancelled = Number(left?.cancelled ?? 0);
  const callerFailures = Number(left?.caller ?? 0);
  const rows = raw.map((r) => {
    const row: SlaWindowRow = {
      timestamp: new Date(r.timestamp),
      durationMs: r.duration_ms,
      slaLimitMs: r.sla_limit_ms ?? SLA_LIMITS[type],
      failed: r.error_name !== null,
      status: r.status,
    };
    if (r.error_name !== null) {
      row.error = { name: r.error_name, message: r.error_message ?? '' };
      if (r.error_code !== null) row.error.code = r.error_code;
      row.error.cause = r.failure_cause ?? 'platform';
    }
    return row;
  });
  return { rows, cancelled, callerFailures };
}

/** Exact stats of a window read by `readSlaWindow`: counts through timing's `tallySla`, quantiles of the ready ones. */
export function windowStats(type: SandboxType, size: number, window: SlaWindow): ProvisioningStats {
  const tally = tallySla(window.rows, { slaLimitMs: SLA_LIMITS[type], window: size });
  const ready = window.rows
    .filter((r) => !r.failed)
    .map((r) => r.durationMs)
    .sort((a, b) => a - b);
  return buildStats({
    sandboxType: type,
    window: size,
    n: tally.n,
    failures: tally.failures,
    cancelled: window.cancelled,
    callerFailures: window.callerFailures,
    breaches: tally.breaches,
    readySumMs: ready.reduce((sum, d) => sum + d, 0),
    readyMaxMs: ready[ready.length - 1],
    readyAt: (rank) => ready[rank],
    approximate: false,
  });
}
