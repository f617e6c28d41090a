import { randomUUID } from 'node:crypto';
import {
  type ProvisionRecorder,
  type ProvisionResult,
  quantile,
  SANDBOX_TYPES,
  type SandboxType,
  SLA_WINDOW,
  type SlaVerdict,
} from '@sbx/timing';
import { type Kysely, sql } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import { InsertCompiler } from './insert-compiler.js';
import { phaseBreakdown } from './phase-breakdown.js';
import { postgresBatchInsert } from './postgres-batch-insert.js';
import {
  KPI_COLUMNS,
  PHASE_COLUMNS,
  type ProvisionRows,
  provisionResultRows,
} from './provision-result-rows.js';
import type { ProvisionRow } from './provision-row.js';
import type { PhaseStats, ProvisioningStats } from './provisioning-stats.js';
import { newestOf, readRecent } from './recent-provisions.js';
import { rollupStats } from './rollup-stats.js';
import { type RowScope, rowScope } from './row-scope.js';
import { readSlaWindow, type SlaWindowRow, windowStats } from './sla-window.js';
import { type SourceFilter, sourceFilter, whereJudged } from './source-filter.js';
import { type DialectKind, dataVersionQuery, dialectOf, isTransientWriteError } from './sql-dialect.js';
import { type StatsOptions, statsScope } from './stats-options.js';
import { invalid, positiveInteger, sandboxType, windowSize } from './validate.js';

/** `getP95Latency()` reads this many newest rows of a type. */
export const P95_WINDOW = 100;
/** Default window of `getStats()`, `getSlaVerdict()` and `getPhaseBreakdown()`: timing's `SLA_WINDOW`. */
export const DEFAULT_STATS_WINDOW = SLA_WINDOW;
/** A write that lost a deadlock to another host's transaction is retried this many times. */
const WRITE_ATTEMPTS = 5;

/** Longest id `record()` accepts from a caller. */
export const MAX_RECORD_ID_LENGTH = 64;

function recordId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_RECORD_ID_LENGTH) {
    invalid('id', `must be a non-empty string of at most ${MAX_RECORD_ID_LENGTH} characters`);
  }
  return id;
}

/** Default `limit` of `listRecent()`. */
export const DEFAULT_LIST_LIMIT = 50;
/** Largest `limit` of `listRecent()` and `size` of `listSlaWindow()` (ids are bound as parameters). */
export const MAX_LIST_LIMIT = 10_000;

/**
 * The provisioning-latency KPI repository: records every `ProvisionResult` (it is the recorder that
 * `SandboxProvisioner` takes) and answers P95, the SLA verdict, stats and phase breakdowns per sandbox type.
 * Every read costs O(window), not O(table): windows walk an index, all-time and hourly figures read rollups.
 *
 * @example
 * const kpis = new SandboxProvisioningKPI(await openDatabase(DEFAULT_DB_PATH));
 * const provisioner = new SandboxProvisioner({ recorder: kpis });
 * await provisioner.provision({ type: 'docker', bootstrapFn });
 * const verdict = await kpis.getSlaVerdict('docker'); // { status: 'met' | 'breached' | 'no-data', reason, ... }
 */
export class SandboxProvisioningKPI implements ProvisionRecorder {
  readonly #db: Kysely<SbxDatabase>;
  readonly #kind: DialectKind;
  readonly #kpiInsert: InsertCompiler<SbxDatabase, 'sandbox_provisioning_kpis'>;
  readonly #phaseInsert: InsertCompiler<SbxDatabase, 'sandbox_provisioning_phases'>;

  constructor(db: Kysely<SbxDatabase>) {
    this.#db = db;
    this.#kind = dialectOf(db);
    const once = { skipDuplicates: true };
    this.#kpiInsert = new InsertCompiler(db, 'sandbox_provisioning_kpis', KPI_COLUMNS, undefined, once);
    this.#phaseInsert = new InsertCompiler(db, 'sandbox_provisioning_phases', PHASE_COLUMNS, undefined, once);
  }

  /**
   * Validates and stores one result with its phases (one transaction) under `options.id` (default
   * `crypto.randomUUID()`). Idempotent per id: storing the same id again (a replay after a lost acknowledgement)
   * keeps the first row and counts it once.
   */
  async record(result: ProvisionResult, options: { id?: string } = {}): Promise<void> {
    const id = options.id === undefined ? randomUUID() : recordId(options.id);
    await this.#write([provisionResultRows(result, id)], 'record a provisioning result');
  }

  /** Validates every result first, then stores them all in one transaction (or none, on any bad input). */
  async recordMany(results: readonly ProvisionResult[]): Promise<void> {
    if (!Array.isArray(results)) invalid('results', 'must be an array');
    const rows = results.map((result, i) => provisionResultRows(result, randomUUID(), `results[${i}].`));
    if (rows.length > 0) await this.#write(rows, `record ${rows.length} provisioning results`);
  }

  /**
   * Nearest-rank P95 of `durationMs` over the newest 100 rows of `type` (any outcome) of the fleet, or of one
   * agent host with `host` (one engine runtime with `runtime`); of the rows callers waited for (refills left out)
   * unless `source` names one; `undefined` when none. PostgreSQL's `percentile_disc(0.95)` is the same definition.
   */
  async getP95Latency(
    type: SandboxType,
    options: RowScope & { source?: SourceFilter } = {},
  ): Promise<number | undefined> {
    const t = sandboxType(type);
    const scope = rowScope(options);
    const source = sourceFilter(options.source, 'user');
    if (this.#kind === 'postgres') {
      const row = await this.#read('read the P95 latency', () =>
        this.#db
          .selectFrom(this.#newest(t, P95_WINDOW, scope, source).select('duration_ms').as('w'))
          .select(sql<number | null>`percentile_disc(0.95) within group (order by w.duration_ms)`.as('p95'))
          .executeTakeFirstOrThrow(),
      );
      return row.p95 ?? undefined;
    }
    const rows = await this.#read('read the P95 latency', () =>
      this.#newest(t, P95_WINDOW, scope, source).select('duration_ms').execute(),
    );
    return quantile(
      rows.map((r) => r.duration_ms),
      0.95,
    );
  }

  /**
   * The SLA verdict (timing's `judgeSla`) over the newest `window` (default 100) valid provisionings of `type`
   * that callers waited for (refills left out), or of one `source`.
   */
  async getSlaVerdict(
    type: SandboxType,
    options: RowScope & { window?: number; source?: SourceFilter } = {},
  ): Promise<SlaVerdict> {
    const window = windowSize(options.window, DEFAULT_STATS_WINDOW, false);
    const { host, runtime, source } = options;
    return (
      await this.getStats(type, {
        window,
        ...(host === undefined ? {} : { host }),
        ...(runtime === undefined ? {} : { runtime }),
        ...(source === undefined ? {} : { source }),
      })
    ).verdict;
  }

  /**
   * n, ready-latency p50/p95/p99, mean and max, breaches, failures, cancelled, success rate and the SLA verdict over
   * the newest `window` valid provisionings (default 100, exact), `'all'` of them, or whole UTC hours from `since`
   * (both from rollups: counts exact, quantiles within 1%). Each is the fleet's, or one agent host's with `host`,
   * one engine runtime's with `runtime`. A window holds the provisionings callers waited for (refills left out)
   * unless `source` names one; rollups count every source.
   */
  async getStats(type: SandboxType, options: StatsOptions = {}): Promise<ProvisioningStats> {
    const t = sandboxType(type);
    const rows = rowScope(options);
    const scope = statsScope(options, DEFAULT_STATS_WINDOW, MAX_LIST_LIMIT);
    const source = sourceFilter(options.source, 'user');
    return this.#read(`read the ${t} provisioning stats`, async () =>
      typeof scope === 'number'
        ? windowStats(t, scope, await readSlaWindow(this.#db, t, scope, rows, source))
        : rollupStats(this.#db, t, scope === 'all' ? undefined : scope, rows),
    );
  }

  /** The newest `size` (default 100) provisionings of `type` that were not cancelled (refills left out), newest first. */
  async listSlaWindow(
    type: SandboxType,
    options: RowScope & { size?: number; source?: SourceFilter } = {},
  ): Promise<SlaWindowRow[]> {
    const t = sandboxType(type);
    const scope = rowScope(options);
    const source = sourceFilter(options.source, 'user');
    const size = options.size === undefined ? DEFAULT_STATS_WINDOW : positiveInteger(options.size, 'size');
    if (size > MAX_LIST_LIMIT) invalid('size', `must be at most ${MAX_LIST_LIMIT}, got ${size}`);
    return (
      await this.#read(`read the ${t} SLA window`, () => readSlaWindow(this.#db, t, size, scope, source))
    ).rows;
  }

  /**
   * Per-phase stats over the newest `window` (default 100) valid provisionings of `type` (refills left out unless
   * `source` names them), in typical order.
   */
  async getPhaseBreakdown(
    type: SandboxType,
    options: RowScope & { window?: number; source?: SourceFilter } = {},
  ): Promise<PhaseStats[]> {
    const t = sandboxType(type);
    const scope = rowScope(options);
    const source = sourceFilter(options.source, 'user');
    const window = windowSize(options.window, DEFAULT_STATS_WINDOW, false);
    const samples = await this.#read(`read the ${t} phase breakdown`, () =>
      this.#db
        .selectFrom('sandbox_provisioning_phases')
        .select(['name', 'seq', 'start_ms', 'duration_ms'])
        .where('provision_id', 'in', whereJudged(this.#newest(t, window, scope, source)).select('id'))
        .execute(),
    );
    return phaseBreakdown(samples);
  }

  /**
   * The newest provisionings (of `type`, or of every type; of one `host` or `runtime`; of every source unless
   * `source` says), newest first, with phases; default limit 50.
   */
  async listRecent(
    options: RowScope & { type?: SandboxType; limit?: number; source?: SourceFilter | 'all' } = {},
  ): Promise<ProvisionRow[]> {
    const scope = rowScope(options);
    const source = sourceFilter(options.source, 'all');
    const types = options.type === undefined ? SANDBOX_TYPES : [sandboxType(options.type, 'type')];
    const limit = options.limit === undefined ? DEFAULT_LIST_LIMIT : positiveInteger(options.limit, 'limit');
    if (limit > MAX_LIST_LIMIT) invalid('limit', `must be at most ${MAX_LIST_LIMIT}, got ${limit}`);
    return this.#read('list recent provisionings', () => readRecent(this.#db, types, limit, scope, source));
  }

  /** How many provisionings are stored (of `type`, or in total), cancelled ones and caller failures included; read from the rollups. */
  async count(type?: SandboxType): Promise<number> {
    const t = type === undefined ? undefined : sandboxType(type);
    const row = await this.#read('count provisionings', () => {
      const q = this.#db
        .selectFrom('sandbox_provisioning_rollups')
        .select((eb) =>
          eb.fn.sum<number>(eb(eb('n', '+', eb.ref('cancelled')), '+', eb.ref('caller_failures'))).as('n'),
        )
        .where('period', '=', '');
      return (t === undefined ? q : q.where('sandbox_type', '=', t)).executeTakeFirstOrThrow();
    });
    return Number(row.n ?? 0);
  }

  /**
   * The agent hosts that recorded provisionings into this database, with how many each (cancelled ones and caller failures included),
   * most first; read from the all-time rollups (rows without a host are left out).
   */
  async listHosts(): Promise<{ hostId: string; provisionings: number }[]> {
    const rows = await this.#read('list hosts', () =>
      this.#db
        .selectFrom('sandbox_provisioning_rollups')
        .select((eb) => [
          'host_id',
          eb.fn.sum<number>(eb(eb('n', '+', eb.ref('cancelled')), '+', eb.ref('caller_failures'))).as('n'),
        ])
        .where('period', '=', '')
        .where('host_id', '!=', '')
        .groupBy('host_id')
        .execute(),
    );
    return rows
      .map((r) => ({ hostId: r.host_id, provisionings: Number(r.n) }))
      .sort((a, b) => b.provisionings - a.provisionings || (a.hostId < b.hostId ? -1 : 1));
  }

  /**
   * The engine runtimes provisionings were recorded under (of `type`, or of every type; of one `host`), with how
   * many each (cancelled ones and caller failures included), most first; read from the all-time rollups (rows without a runtime, such
   * as webcontainers, are left out).
   */
  async listRuntimes(
    type?: SandboxType,
    options: { host?: string | undefined } = {},
  ): Promise<{ runtime: string; provisionings: number }[]> {
    const t = type === undefined ? undefined : sandboxType(type, 'type');
    const { host } = rowScope({ host: options.host });
    const rows = await this.#read('list runtimes', () => {
      let q = this.#db
        .selectFrom('sandbox_provisioning_rollups')
        .select((eb) => [
          'runtime',
          eb.fn.sum<number>(eb(eb('n', '+', eb.ref('cancelled')), '+', eb.ref('caller_failures'))).as('n'),
        ])
        .where('period', '=', '')
        .where('runtime', '!=', '');
      if (t !== undefined) q = q.where('sandbox_type', '=', t);
      if (host !== undefined) q = q.where('host_id', '=', host);
      return q.groupBy('runtime').execute();
    });
    return rows
      .map((r) => ({ runtime: r.runtime, provisionings: Number(r.n) }))
      .filter((r) => r.provisionings > 0)
      .sort((a, b) => b.provisionings - a.provisionings || (a.runtime < b.runtime ? -1 : 1));
  }

  /**
   * A token that changes whenever anything was written to the database since the last call, by this connection
   * or another process: readers cache what they computed from the tables under it. O(1).
   */
  async dataVersion(): Promise<string> {
    const { rows } = await this.#read('read the data version', () =>
      this.#db.executeQuery<{ changes: number; version: number | string }>(dataVersionQuery(this.#kind)),
    );
    return `${rows[0]?.version}:${rows[0]?.changes}`;
  }

  #newest(type: SandboxType, window: number, scope: RowScope, source: SourceFilter | 'all') {
    return newestOf(this.#db, type, window, scope, source);
  }

  async #write(rows: ProvisionRows[], action: string): Promise<void> {
    // Provisionings first: each phase row references its provisioning.
    const queries =
      this.#kind === 'postgres'
        ? postgresBatchInsert(rows)
        : [
            ...this.#kpiInsert.compile(rows.map((r) => r.kpi)),
            ...this.#phaseInsert.compile(rows.flatMap((r) => r.phases)),
          ];
    for (let attempt = 1; ; attempt++) {
      try {
        const [only] = queries;
        // A single statement is atomic on its own (its triggers included); a transaction would only add BEGIN/COMMIT.
        if (queries.length === 1 && only) await this.#db.executeQuery(only);
        else
          await this.#db.transaction().execute(async (trx) => {
            for (const query of queries) await trx.executeQuery(query);
          });
        return;
      } catch (error) {
        // Hosts sharing a PostgreSQL database update the same rollup rows; a deadlock victim simply runs again.
        if (attempt < WRITE_ATTEMPTS && isTransientWriteError(error)) continue;
        throw wrapDriverError(error, action, 'write');
      }
    }
  }

  async #read<T>(action: string, query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw wrapDriverError(error, action, 'read');
    }
  }
}
