import { type ProvisionSource, type SandboxRunOutcome, type SandboxType, SLA_LIMITS } from '@sbx/timing';
import type { Kysely } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import { type DialectKind, dialectOf, feedCursor, feedHorizon } from './sql-dialect.js';
import { positiveInteger, string } from './validate.js';

/** A provisioning as the change feed gives it: enough to count it and its phases. */
export interface ProvisionChange {
  /**
   * The cursor: rows committed later have higher or equal values, whichever process wrote them (SQLite's rowid;
   * on PostgreSQL the writing transaction's id, shared by the rows of one transaction, which come together).
   */
  seq: number;
  sandboxType: SandboxType;
  durationMs: number;
  status: 'ok' | 'sla_breach';
  /** The limit it was judged by (its own stored limit). */
  slaLimitMs: number;
  /** Its bootstrap failed by the platform's doing (a cancelled one or a caller's failure is not counted as failed). */
  failed: boolean;
  /** Its caller cancelled it (error code `CANCELLED`). */
  cancelled: boolean;
  /** It failed by its caller's doing (`failure_cause = 'caller'`, not cancelled): shown apart, never judged. */
  callerFailed: boolean;
  /** `cold`, `pool` or `refill`. */
  source: ProvisionSource;
  /** The engine runtime it ran under (`runc`, `runsc`, ...); `null` without one (a webcontainer, an older row). */
  runtime: string | null;
  /** Its network (`none`, `egress`); `null` without one. */
  network: string | null;
  /** Its timed phases, in recorded order. */
  phases: { name: string; durationMs: number }[];
}

/** A sandbox run as the change feed gives it. */
export interface PerfRecordChange {
  seq: number;
  durationMs: number;
  outcome: SandboxRunOutcome;
  alertFired: boolean;
}

/** Options of a `ChangeFeed`. */
export interface ChangeFeedOptions {
  /** Only rows this agent host wrote (`host_id`), so each host of a fleet exports its own measurements. */
  hostId?: string;
}

/**
 * Reads rows committed after a cursor, so a consumer (the Prometheus exporter) can count every row exactly
 * once, including rows other processes wrote, without rescanning the tables. On PostgreSQL, where a row with a
 * lower id can commit after one with a higher id, a row is handed out only once every older transaction ended.
 *
 * @example
 * const feed = new ChangeFeed(db, { hostId: 'host-a' });
 * let seq = 0;
 * for (const change of await feed.provisionsSince(seq)) seq = change.seq;
 */
export class ChangeFeed {
  readonly #db: Kysely<SbxDatabase>;
  readonly #kind: DialectKind;
  readonly #hostId: string | undefined;

  constructor(db: Kysely<SbxDatabase>, options: ChangeFeedOptions = {}) {
    this.#db = db;
    this.#kind = dialectOf(db);
    this.#hostId = options.hostId === undefined ? undefined : string(options.hostId, 'hostId', true);
  }

  /**
   * Provisionings with `seq > after`, oldest first, with their phases: at most `limit` on SQLite; on PostgreSQL
   * whole transactions, up to the one holding the `limit`-th row.
   */
  async provisionsSince(after: number, limit = 10_000): Promise<ProvisionChange[]> {
    const n = positiveInteger(limit, 'limit');
    const cursor = feedCursor(this.#kind, 'kpis', 'k');
    try {
      const upTo = await this.#boundary('kpis', after, n);
      if (upTo === undefined) return [];
      let query = this.#db
        .selectFrom('sandbox_provisioning_kpis as k')
        .select([
          cursor.as('seq'),
          'id',
          'sandbox_type',
          'duration_ms',
          'status',
          'sla_limit_ms',
          'error_name',
          'cancelled',
          'failure_cause',
          'source',
          'runtime',
          'network',
        ])
        .where(cursor, '>', after)
        .where(cursor, '<=', upTo);
      if (this.#hostId !== undefined) query = query.where('k.host_id', '=', this.#hostId);
      const rows = await query.orderBy(cursor).orderBy('k.timestamp').execute();
      let phaseQuery = this.#db
        .selectFrom('sandbox_provisioning_phases as p')
        .innerJoin('sandbox_provisioning_kpis as k', 'k.id', 'p.provision_id')
        .select(['p.provision_id', 'p.name', 'p.duration_ms'])
        .where(cursor, '>', after)
        .where(cursor, '<=', upTo);
      if (this.#hostId !== undefined) phaseQuery = phaseQuery.where('k.host_id', '=', this.#hostId);
      const phases =
        rows.length === 0 ? [] : await phaseQuery.orderBy('p.provision_id').orderBy('p.seq').execute();
      const byId = new Map<string, { name: string; durationMs: number }[]>();
      for (const p of phases) {
        const list = byId.get(p.provision_id) ?? [];
        list.push({ name: p.name, durationMs: p.duration_ms });
        byId.set(p.provision_id, list);
      }
      return rows.map((r) => ({
        seq: r.seq,
        sandboxType: r.sandbox_type,
        durationMs: r.duration_ms,
        status: r.status,
        slaLimitMs: r.sla_limit_ms ?? SLA_LIMITS[r.sandbox_type],
        failed: r.error_name !== null && r.cancelled === 0 && r.failure_cause !== 'caller',
        cancelled: r.cancelled === 1,
        callerFailed: r.error_name !== null && r.cancelled === 0 && r.failure_cause === 'caller',
        source: r.source,
        runtime: r.runtime,
        network: r.network,
        phases: byId.get(r.id) ?? [],
      }));
    } catch (error) {
      throw wrapDriverError(error, 'read new provisionings', 'read');
    }
  }

  /** Perf records with `seq > after`, oldest first (at most `limit`, as `provisionsSince`). */
  async perfRecordsSince(after: number, limit = 10_000): Promise<PerfRecordChange[]> {
    const n = positiveInteger(limit, 'limit');
    const cursor = feedCursor(this.#kind, 'perf');
    try {
      const upTo = await this.#boundary('perf', after, n);
      if (upTo === undefined) return [];
      let query = this.#db
        .selectFrom('sandbox_perf_records')
        .select([cursor.as('seq'), 'duration_ms', 'outcome', 'alert_fired'])
        .where(cursor, '>', after)
        .where(cursor, '<=', upTo);
      if (this.#hostId !== undefined) query = query.where('host_id', '=', this.#hostId);
      const rows = await query.orderBy(cursor).orderBy('id').execute();
      return rows.map((r) => ({
        seq: r.seq,
        durationMs: r.duration_ms,
        outcome: r.outcome,
        alertFired: r.alert_fired === 1,
      }));
    } catch (error) {
      throw wrapDriverError(error, 'read new perf records', 'read');
    }
  }

  /**
   * The cursor value of the `limit`-th row after `after` that is safe to read (or of the last one, when fewer):
   * reads stop there, so a transaction's rows are never split and nothing still running is passed.
   */
  async #boundary(table: 'kpis' | 'perf', after: number, limit: number): Promise<number | undefined> {
    const cursor = feedCursor(this.#kind, table);
    let query = this.#db
      .selectFrom(table === 'kpis' ? 'sandbox_provisioning_kpis' : 'sandbox_perf_records')
      .select(cursor.as('seq'))
      .where(cursor, '>', after)
      .where(feedHorizon(this.#kind));
    if (this.#hostId !== undefined) query = query.where('host_id', '=', this.#hostId);
    const rows = await query.orderBy(cursor).limit(limit).execute();
    return rows[rows.length - 1]?.seq;
  }
}
