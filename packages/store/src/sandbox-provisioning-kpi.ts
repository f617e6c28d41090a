import { randomUUID } from 'node:crypto';
import {
  nearestRankIndex,
  type ProvisionRecorder,
  type ProvisionResult,
  type ProvisionSource,
  quantile,
  SANDBOX_TYPES,
  type SandboxType,
  SLA_LIMITS,
} from '@sbx/timing';
import { type Kysely, sql } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import { InsertCompiler } from './insert-compiler.js';
import { phaseBreakdown } from './phase-breakdown.js';
import { type ProvisionRows, provisionResultRows } from './provision-result-rows.js';
import { type ProvisionRow, toProvisionRows } from './provision-row.js';
import type { PhaseStats, ProvisioningStats } from './provisioning-stats.js';
import { describe, invalid, positiveInteger, sandboxType, windowSize } from './validate.js';

/** `getP95Latency()` reads this many newest rows of a type. */
export const P95_WINDOW = 100;
/** Default window of `getStats()` and `getPhaseBreakdown()`. */
export const DEFAULT_STATS_WINDOW = 100;
/** Default `limit` of `listRecent()`. */
export const DEFAULT_LIST_LIMIT = 50;
/** Largest `limit` of `listRecent()` (its ids are bound as parameters). */
export const MAX_LIST_LIMIT = 10_000;

/**
 * Which provisionings a query reads: `'user'` (default) what callers waited for, `cold` and `pool` alike
 * (the SLA verdict's rows); or one source, `refill` included.
 */
export type SourceFilter = ProvisionSource | 'user';

const KPI_COLUMNS = [
  'id',
  'sandbox_type',
  'duration_ms',
  'status',
  'timestamp',
  'sla_limit_ms',
  'error_name',
  'error_message',
  'error_code',
  'tenant',
  'source',
] as const;
const PHASE_COLUMNS = ['provision_id', 'seq', 'name', 'start_ms', 'duration_ms'] as const;

/**
 * The provisioning-latency KPI repository: records every `ProvisionResult` (it is the recorder that
 * `SandboxProvisioner` takes) and answers P95, stats and phase breakdowns per sandbox type.
 *
 * @example
 * const kpis = new SandboxProvisioningKPI(await openDatabase(DEFAULT_DB_PATH));
 * const provisioner = new SandboxProvisioner({ recorder: kpis });
 * await provisioner.provision({ type: 'docker', bootstrapFn });
 * const p95 = await kpis.getP95Latency('docker'); // undefined until something was recorded
 */
export class SandboxProvisioningKPI implements ProvisionRecorder {
  readonly #db: Kysely<SbxDatabase>;
  readonly #kpiInsert: InsertCompiler<SbxDatabase, 'sandbox_provisioning_kpis'>;
  readonly #phaseInsert: InsertCompiler<SbxDatabase, 'sandbox_provisioning_phases'>;

  constructor(db: Kysely<SbxDatabase>) {
    this.#db = db;
    this.#kpiInsert = new InsertCompiler(db, 'sandbox_provisioning_kpis', KPI_COLUMNS);
    this.#phaseInsert = new InsertCompiler(db, 'sandbox_provisioning_phases', PHASE_COLUMNS);
  }

  /** Validates and stores one result with its phases (one transaction, id `crypto.randomUUID()`). */
  async record(result: ProvisionResult): Promise<void> {
    await this.#write([provisionResultRows(result, randomUUID())], 'record a provisioning result');
  }

  /** Validates every result first, then stores them all in one transaction (or none, on any bad input). */
  async recordMany(results: readonly ProvisionResult[]): Promise<void> {
    if (!Array.isArray(results)) invalid('results', 'must be an array');
    const rows = results.map((result, i) => provisionResultRows(result, randomUUID(), `results[${i}].`));
    if (rows.length > 0) await this.#write(rows, `record ${rows.length} provisioning results`);
  }

  /**
   * Nearest-rank P95 of `durationMs` over the newest 100 rows of `type` that callers waited for (refills left
   * out; or of one `source`); `undefined` when there are none.
   */
  async getP95Latency(
    type: SandboxType,
    options: { source?: SourceFilter } = {},
  ): Promise<number | undefined> {
    const t = sandboxType(type);
    const rows = await this.#read('read the P95 latency', () =>
      this.#newest(t, P95_WINDOW, options.source).select('duration_ms').execute(),
    );
    return quantile(
      rows.map((r) => r.duration_ms),
      0.95,
    );
  }

  /**
   * n, p50/p95/p99, mean, max, SLA breaches, failures and success rate over the newest `window` rows (default
   * 100) or `'all'`; of the rows callers waited for (refills left out) unless `source` names one.
   */
  async getStats(
    type: SandboxType,
    options: { window?: number | 'all'; source?: SourceFilter } = {},
  ): Promise<ProvisioningStats> {
    const t = sandboxType(type);
    const window = windowSize(options.window, DEFAULT_STATS_WINDOW, true);
    return this.#read(`read the ${t} provisioning stats`, async () => {
      const rows = this.#newest(t, window, options.source)
        .select(['duration_ms', 'status', 'error_name'])
        .as('w');
      const agg = await this.#db
        .selectFrom(rows)
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.avg<number>('duration_ms').as('mean'),
          eb.fn.max('duration_ms').as('max'),
          eb.fn.count<number>(eb.case().when('status', '=', 'sla_breach').then(1).end()).as('breaches'),
          eb.fn.count<number>('error_name').as('failures'),
        ])
        .executeTakeFirstOrThrow();
      const n = Number(agg.n);
      // The value at the nearest-rank index of the window sorted by duration, same rule as `quantile()`.
      const at = async (q: number) =>
        n === 0
          ? undefined
          : (
              await this.#db
                .selectFrom(rows)
                .select('duration_ms')
                .orderBy('duration_ms')
                .limit(1)
                .offset(nearestRankIndex(n, q))
                .executeTakeFirstOrThrow()
            ).duration_ms;
      const p95Ms = await at(0.95);
      const failures = Number(agg.failures);
      return {
        sandboxType: t,
        window,
        n,
        p50Ms: await at(0.5),
        p95Ms,
        p99Ms: await at(0.99),
        meanMs: n === 0 ? undefined : Number(agg.mean),
        maxMs: n === 0 ? undefined : Number(agg.max),
        slaLimitMs: SLA_LIMITS[t],
        slaBreaches: Number(agg.breaches),
        failures,
        successRate: n === 0 ? undefined : (n - failures) / n,
        slaMet: p95Ms === undefined ? undefined : p95Ms <= SLA_LIMITS[t],
      };
    });
  }

  /**
   * Per-phase stats over the phases of the newest `window` provisionings of `type` (default 100; refills left
   * out unless `source` names them), in typical order.
   */
  async getPhaseBreakdown(
    type: SandboxType,
    options: { window?: number; source?: SourceFilter } = {},
  ): Promise<PhaseStats[]> {
    const t = sandboxType(type);
    const window = windowSize(options.window, DEFAULT_STATS_WINDOW, false);
    const samples = await this.#read(`read the ${t} phase breakdown`, () =>
      this.#db
        .selectFrom('sandbox_provisioning_phases')
        .select(['name', 'seq', 'start_ms', 'duration_ms'])
        .where('provision_id', 'in', this.#newest(t, window, options.source).select('id'))
        .execute(),
    );
    return phaseBreakdown(samples);
  }

  /**
   * The newest provisionings (of `type`, or of every type; of every source unless `source` says), newest
   * first, with their phases; default limit 50.
   */
  async listRecent(
    options: { type?: SandboxType; limit?: number; source?: SourceFilter | 'all' } = {},
  ): Promise<ProvisionRow[]> {
    const types = options.type === undefined ? SANDBOX_TYPES : [sandboxType(options.type, 'type')];
    const limit = options.limit === undefined ? DEFAULT_LIST_LIMIT : positiveInteger(options.limit, 'limit');
    if (limit > MAX_LIST_LIMIT) invalid('limit', `must be at most ${MAX_LIST_LIMIT}, got ${limit}`);
    return this.#read('list recent provisionings', async () => {
      // Per type, so each read walks the (sandbox_type, timestamp) index instead of sorting the table.
      const perType = await Promise.all(
        types.map((t) =>
          this.#newest(t, limit, options.source ?? 'all')
            .selectAll()
            .select(sql<number>`rowid`.as('rowid'))
            .execute(),
        ),
      );
      const rows = perType
        .flat()
        .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : b.rowid - a.rowid))
        .slice(0, limit);
      const phases =
        rows.length === 0
          ? []
          : await this.#db
              .selectFrom('sandbox_provisioning_phases')
              .selectAll()
              .where(
                'provision_id',
                'in',
                rows.map((r) => r.id),
              )
              .execute();
      return toProvisionRows(rows, phases);
    });
  }

  /** How many provisionings are stored (of `type`, or in total). */
  async count(type?: SandboxType): Promise<number> {
    const t = type === undefined ? undefined : sandboxType(type);
    const row = await this.#read('count provisionings', () => {
      const q = this.#db
        .selectFrom('sandbox_provisioning_kpis')
        .select((eb) => eb.fn.countAll<number>().as('n'));
      return (t === undefined ? q : q.where('sandbox_type', '=', t)).executeTakeFirstOrThrow();
    });
    return Number(row.n);
  }

  #newest(type: SandboxType, window: number | 'all', source: SourceFilter | 'all' = 'user') {
    const ofType = this.#db.selectFrom('sandbox_provisioning_kpis').where('sandbox_type', '=', type);
    const rows =
      source === 'all'
        ? ofType
        : source === 'user'
          ? ofType.where('source', '!=', 'refill')
          : ofType.where('source', '=', sourceFilter(source));
    return window === 'all'
      ? rows
      : rows.orderBy('timestamp', 'desc').orderBy(sql`rowid`, 'desc').limit(window);
  }

  async #write(rows: ProvisionRows[], action: string): Promise<void> {
    // Provisionings first: each phase row references its provisioning.
    const queries = [
      ...this.#kpiInsert.compile(rows.map((r) => r.kpi)),
      ...this.#phaseInsert.compile(rows.flatMap((r) => r.phases)),
    ];
    try {
      const [only] = queries;
      // A single statement is atomic on its own; a transaction would only add BEGIN and COMMIT.
      if (queries.length === 1 && only) await this.#db.executeQuery(only);
      else
        await this.#db.transaction().execute(async (trx) => {
          for (const query of queries) await trx.executeQuery(query);
        });
    } catch (error) {
      throw wrapDriverError(error, action, 'write');
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

function sourceFilter(value: unknown): ProvisionSource {
  if (value === 'cold' || value === 'pool' || value === 'refill') return value;
  return invalid('source', `must be 'user', 'cold', 'pool' or 'refill', got ${describe(value)}`);
}
