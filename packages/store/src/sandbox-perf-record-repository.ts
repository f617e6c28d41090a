import {
  DEFAULT_MAX_COMPLETED_RECORDS,
  nearestRankIndex,
  type PerfRecordSink,
  type PerfReport,
  type SandboxPerfRecord,
  systemWallClock,
  type WallClock,
} from '@sbx/timing';
import type { Kysely } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import { InsertCompiler } from './insert-compiler.js';
import { perfRecordRow } from './perf-record-row.js';
import { describe, invalid, positiveInteger, string, windowSize } from './validate.js';

/** Default window of `getReport()`: the newest 10,000 records, as many as the monitor keeps in memory. */
export const DEFAULT_REPORT_WINDOW = DEFAULT_MAX_COMPLETED_RECORDS;
/** Default `limit` of `SandboxPerfRecordRepository.listRecent()`. */
export const DEFAULT_PERF_LIST_LIMIT = 50;

/** A perf record as stored: durations in whole milliseconds, plus when it was written. */
export interface StoredPerfRecord extends SandboxPerfRecord {
  /** Insertion order; newer records have higher ids. */
  id: number;
  createdAt: Date;
  /** The agent host that timed it, when known. */
  hostId?: string;
}

/** Options of a `SandboxPerfRecordRepository`. */
export interface SandboxPerfRecordRepositoryOptions {
  /** Stamps `created_at` (default: the system wall clock). */
  wallClock?: WallClock;
  /** The agent host stamped on every record (`host_id`); default none. */
  hostId?: string;
}

const COLUMNS = [
  'sandbox_id',
  'start_time',
  'duration_ms',
  'outcome',
  'alert_fired',
  'created_at',
  'host_id',
  'record_key',
] as const;

/**
 * The `sandbox_perf_records` repository: the sink `SandboxPerfMonitor` writes each run to, and the same report
 * the monitor gives (count, mean, max, nearest-rank p95, alerts) over what survived restarts.
 *
 * @example
 * const perf = new SandboxPerfRecordRepository(await openDatabase(DEFAULT_DB_PATH));
 * const monitor = new SandboxPerfMonitor({ sink: perf });
 * monitor.start('sb-1');
 * monitor.stop('sb-1', { outcome: 'success' });
 * console.log(await perf.getReport());
 */
export class SandboxPerfRecordRepository implements PerfRecordSink {
  readonly #db: Kysely<SbxDatabase>;
  readonly #wallClock: WallClock;
  readonly #hostId: string | null;
  readonly #insert: InsertCompiler<SbxDatabase, 'sandbox_perf_records'>;

  constructor(db: Kysely<SbxDatabase>, options: SandboxPerfRecordRepositoryOptions = {}) {
    this.#db = db;
    this.#wallClock = options.wallClock ?? systemWallClock;
    this.#hostId = options.hostId === undefined ? null : string(options.hostId, 'hostId', true);
    this.#insert = new InsertCompiler(db, 'sandbox_perf_records', COLUMNS, undefined, {
      skipDuplicates: true,
    });
  }

  /**
   * Validates and stores one record (`durationMs` and `startTime` rounded to whole milliseconds). With
   * `options.key`, idempotent: a record already stored under that key is not stored again.
   */
  async insert(
    table: 'sandbox_perf_records',
    record: SandboxPerfRecord,
    options: { key?: string } = {},
  ): Promise<void> {
    if (table !== 'sandbox_perf_records')
      invalid('table', `must be 'sandbox_perf_records', got ${describe(table)}`);
    const key = options.key === undefined ? null : string(options.key, 'key', true);
    const row = {
      ...perfRecordRow(record, this.#wallClock.now().toISOString(), this.#hostId),
      record_key: key,
    };
    try {
      for (const query of this.#insert.compile([row])) await this.#db.executeQuery(query);
    } catch (error) {
      throw wrapDriverError(error, 'store a sandbox perf record', 'write');
    }
  }

  /** The monitor's report over the newest `window` records (default 10,000) or `'all'`; durations `undefined` when empty. */
  async getReport(options: { window?: number | 'all' } = {}): Promise<PerfReport> {
    const window = windowSize(options.window, DEFAULT_REPORT_WINDOW, true);
    try {
      const all = this.#db.selectFrom('sandbox_perf_records').select(['duration_ms', 'alert_fired']);
      const rows = (window === 'all' ? all : all.orderBy('id', 'desc').limit(window)).as('w');
      const agg = await this.#db
        .selectFrom(rows)
        .select((eb) => [
          eb.fn.countAll<number>().as('count'),
          eb.fn.avg<number>('duration_ms').as('mean'),
          eb.fn.max('duration_ms').as('max'),
          eb.fn.sum<number>('alert_fired').as('alerts'),
        ])
        .executeTakeFirstOrThrow();
      const count = Number(agg.count);
      if (count === 0)
        return { count: 0, meanMs: undefined, maxMs: undefined, p95Ms: undefined, alertCount: 0 };
      const p95 = await this.#db
        .selectFrom(rows)
        .select('duration_ms')
        .orderBy('duration_ms')
        .limit(1)
        .offset(nearestRankIndex(count, 0.95))
        .executeTakeFirstOrThrow();
      return {
        count,
        meanMs: Number(agg.mean),
        maxMs: Number(agg.max),
        p95Ms: p95.duration_ms,
        alertCount: Number(agg.alerts),
      };
    } catch (error) {
      throw wrapDriverError(error, 'read the sandbox perf report', 'read');
    }
  }

  /** The newest records, newest first (default 50). */
  async listRecent(limit: number = DEFAULT_PERF_LIST_LIMIT): Promise<StoredPerfRecord[]> {
    const n = positiveInteger(limit, 'limit');
    try {
      const rows = await this.#db
        .selectFrom('sandbox_perf_records')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(n)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        sandboxId: r.sandbox_id,
        startTime: r.start_time,
        durationMs: r.duration_ms,
        outcome: r.outcome,
        alertFired: r.alert_fired === 1,
        createdAt: new Date(r.created_at),
        ...(r.host_id === null ? {} : { hostId: r.host_id }),
      }));
    } catch (error) {
      throw wrapDriverError(error, 'list sandbox perf records', 'read');
    }
  }

  /** How many records are stored. */
  async count(): Promise<number> {
    try {
      const row = await this.#db
        .selectFrom('sandbox_perf_records')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    } catch (error) {
      throw wrapDriverError(error, 'count sandbox perf records', 'read');
    }
  }
}
