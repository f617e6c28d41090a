import { type SandboxType, systemWallClock, type WallClock } from '@sbx/timing';
import type { Kysely } from 'kysely';
import type { SbxDatabase } from './database.js';
import { wrapDriverError } from './errors.js';
import type { AlertKind } from './sandbox-alert.table.js';
import { describe, invalid, nonNegativeFinite, positiveInteger, sandboxType, string } from './validate.js';

/** An alert to store. */
export interface NewAlert {
  kind: AlertKind;
  sandboxType?: SandboxType | undefined;
  sandboxId?: string | undefined;
  valueMs: number;
  thresholdMs: number;
  message: string;
  /** The tenant whose sandbox or provisioning raised it. */
  tenant?: string | undefined;
  /** The agent host that raised it. */
  hostId?: string | undefined;
}

/** An alert as stored. */
export interface StoredAlert extends NewAlert {
  id: number;
  createdAt: Date;
}

const KINDS: readonly AlertKind[] = ['overhead-alert', 'sla-breach'];

/**
 * The `sandbox_alerts` repository: overhead alerts and SLA breaches kept as rows for reports and the dashboard.
 *
 * @example
 * const alerts = new SandboxAlertRepository(db);
 * await alerts.insert({ kind: 'overhead-alert', sandboxId: 'sb-1', valueMs: 7200, thresholdMs: 5000, message: '...' });
 * console.log(await alerts.listRecent(10));
 */
export class SandboxAlertRepository {
  readonly #db: Kysely<SbxDatabase>;
  readonly #wallClock: WallClock;

  constructor(db: Kysely<SbxDatabase>, options: { wallClock?: WallClock } = {}) {
    this.#db = db;
    this.#wallClock = options.wallClock ?? systemWallClock;
  }

  /**
   * Validates and stores one alert; resolves to the stored alert with its id. With `options.key`, idempotent:
   * an alert already stored under that key is not stored again (and resolves to the one stored).
   */
  async insert(alert: NewAlert, options: { key?: string } = {}): Promise<StoredAlert> {
    if (!KINDS.includes(alert?.kind))
      invalid('kind', `must be one of ${KINDS.join(', ')}, got ${describe(alert?.kind)}`);
    const row = {
      kind: alert.kind,
      sandbox_type: alert.sandboxType === undefined ? null : sandboxType(alert.sandboxType),
      sandbox_id: alert.sandboxId === undefined ? null : string(alert.sandboxId, 'sandboxId', true),
      value_ms: nonNegativeFinite(alert.valueMs, 'valueMs'),
      threshold_ms: nonNegativeFinite(alert.thresholdMs, 'thresholdMs'),
      message: string(alert.message, 'message', true),
      created_at: this.#wallClock.now().toISOString(),
      tenant: alert.tenant === undefined ? null : string(alert.tenant, 'tenant', true),
      host_id: alert.hostId === undefined ? null : string(alert.hostId, 'hostId', true),
      record_key: options.key === undefined ? null : string(options.key, 'key', true),
    };
    try {
      const inserted = await this.#db
        .insertInto('sandbox_alerts')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      const id =
        inserted?.id ??
        (
          await this.#db
            .selectFrom('sandbox_alerts')
            .select('id')
            .where('record_key', '=', row.record_key)
            .executeTakeFirstOrThrow()
        ).id;
      return { ...alert, id, createdAt: new Date(row.created_at) };
    } catch (error) {
      throw wrapDriverError(error, 'store an alert', 'write');
    }
  }

  /** The newest alerts, newest first (default 50), optionally of one kind. */
  async listRecent(limit = 50, kind?: AlertKind): Promise<StoredAlert[]> {
    const n = positiveInteger(limit, 'limit');
    try {
      let query = this.#db.selectFrom('sandbox_alerts').selectAll().orderBy('id', 'desc').limit(n);
      if (kind) query = query.where('kind', '=', kind);
      return (await query.execute()).map((r) => ({
        id: r.id,
        kind: r.kind,
        sandboxType: r.sandbox_type ?? undefined,
        sandboxId: r.sandbox_id ?? undefined,
        valueMs: r.value_ms,
        thresholdMs: r.threshold_ms,
        message: r.message,
        createdAt: new Date(r.created_at),
        ...(r.tenant === null ? {} : { tenant: r.tenant }),
        ...(r.host_id === null ? {} : { hostId: r.host_id }),
      }));
    } catch (error) {
      throw wrapDriverError(error, 'list alerts', 'read');
    }
  }

  /** How many alerts are stored, optionally of one kind. */
  async count(kind?: AlertKind): Promise<number> {
    try {
      let query = this.#db.selectFrom('sandbox_alerts').select((eb) => eb.fn.countAll<number>().as('n'));
      if (kind) query = query.where('kind', '=', kind);
      return Number((await query.executeTakeFirstOrThrow()).n);
    } catch (error) {
      throw wrapDriverError(error, 'count alerts', 'read');
    }
  }
}
