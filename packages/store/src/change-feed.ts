import { type SandboxRunOutcome, type SandboxType, SLA_LIMITS } from '@sbx/timing';
import { type Kysely, sql } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import { positiveInteger } from './validate.js';

/** A provisioning as the change feed gives it: enough to count it and its phases. */
export interface ProvisionChange {
  /** SQLite's rowid: rows committed later have higher values, whichever process wrote them. */
  seq: number;
  sandboxType: SandboxType;
  durationMs: number;
  status: 'ok' | 'sla_breach';
  /** The limit it was judged by (its own stored limit). */
  slaLimitMs: number;
  /** Its bootstrap failed (a cancelled one is not counted as failed). */
  failed: boolean;
  /** Its caller cancelled it (error code `CANCELLED`). */
  cancelled: boolean;
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

/**
 * Reads rows committed after a cursor, in commit order, so a consumer (the Prometheus exporter) can count
 * every row exactly once, including rows other processes wrote, without rescanning the tables.
 */
export class ChangeFeed {
  readonly #db: Kysely<SbxDatabase>;

  constructor(db: Kysely<SbxDatabase>) {
    this.#db = db;
  }

  /** Provisionings with `seq > after`, oldest first, at most `limit`, with their phases. */
  async provisionsSince(after: number, limit = 10_000): Promise<ProvisionChange[]> {
    const n = positiveInteger(limit, 'limit');
    try {
      const rows = await this.#db
        .selectFrom('sandbox_provisioning_kpis')
        .select([
          sql<number>`rowid`.as('seq'),
          'id',
          'sandbox_type',
          'duration_ms',
          'status',
          'sla_limit_ms',
          'error_name',
          'cancelled',
        ])
        .where(sql<number>`rowid`, '>', after)
        .orderBy(sql`rowid`)
        .limit(n)
        .execute();
      const last = rows[rows.length - 1];
      const phases =
        last === undefined
          ? []
          : await this.#db
              .selectFrom('sandbox_provisioning_phases as p')
              .innerJoin('sandbox_provisioning_kpis as k', 'k.id', 'p.provision_id')
              .select(['p.provision_id', 'p.name', 'p.duration_ms'])
              .where(sql<number>`k.rowid`, '>', after)
              .where(sql<number>`k.rowid`, '<=', last.seq)
              .orderBy('p.provision_id')
              .orderBy('p.seq')
              .execute();
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
        failed: r.error_name !== null && r.cancelled === 0,
        cancelled: r.cancelled === 1,
        phases: byId.get(r.id) ?? [],
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
