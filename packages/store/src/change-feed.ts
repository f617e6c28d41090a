import type { ProvisionSource, SandboxRunOutcome, SandboxType } from '@sbx/timing';
import { type Kysely, sql } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import { positiveInteger } from './validate.js';

/** A provisioning as the change feed gives it: enough to count it. */
export interface ProvisionChange {
  /** SQLite's rowid: rows committed later have higher values, whichever process wrote them. */
  seq: number;
  sandboxType: SandboxType;
  durationMs: number;
  status: 'ok' | 'sla_breach';
  failed: boolean;
  /** `cold`, `pool` or `refill`. */
  source: ProvisionSource;
}

/** A sandbox run as the change feed gives it. */
export interface PerfRecordChange {
  seq: number;
  durationMs: number;
  outcome: SandboxRunOutcome;
  alertFired: boolean;
}

/**
 * Reads rows committed after a cursor, in commit order, so a consumer (the Prometheus exporter) can count
 * every row exactly once, including rows other processes wrote, without rescanning the tables.
 */
export class ChangeFeed {
  readonly #db: Kysely<SbxDatabase>;

  constructor(db: Kysely<SbxDatabase>) {
    this.#db = db;
  }

  /** Provisionings with `seq > after`, oldest first, at most `limit`. */
  async provisionsSince(after: number, limit = 10_000): Promise<ProvisionChange[]> {
    const n = positiveInteger(limit, 'limit');
    try {
      const rows = await this.#db
        .selectFrom('sandbox_provisioning_kpis')
        .select([
          sql<number>`rowid`.as('seq'),
          'sandbox_type',
          'duration_ms',
          'status',
          'error_name',
          'source',
        ])
        .where(sql<number>`rowid`, '>', after)
        .orderBy(sql`rowid`)
        .limit(n)
        .execute();
      return rows.map((r) => ({
        seq: r.seq,
        sandboxType: r.sandbox_type,
        durationMs: r.duration_ms,
        status: r.status,
        failed: r.error_name !== null,
        source: r.source,
      }));
    } catch (error) {
      throw wrapDriverError(error, 'read new provisionings', 'read');
    }
  }

  /** Perf records with `seq > after`, oldest first, at most `limit`. */
  async perfRecordsSince(after: number, limit = 10_000): Promise<PerfRecordChange[]> {
    const n = positiveInteger(limit, 'limit');
    try {
      const rows = await this.#db
        .selectFrom('sandbox_perf_records')
        .select(['id', 'duration_ms', 'outcome', 'alert_fired'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(n)
        .execute();
      return rows.map((r) => ({
        seq: r.id,
        durationMs: r.duration_ms,
        outcome: r.outcome,
        alertFired: r.alert_fired === 1,
      }));
    } catch (error) {
      throw wrapDriverError(error, 'read new perf records', 'read');
    }
  }
}
