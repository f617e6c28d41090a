import { CompiledQuery, type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';

// Every piece of SQL that differs between SQLite and PostgreSQL, except the frozen migrations, lives here.

/** The engines the store runs on. */
export type DialectKind = 'sqlite' | 'postgres';

/** Which engine `db` runs on (read from its Kysely adapter, so any `Kysely` the caller built works). */
export function dialectOf(db: { getExecutor: Kysely<unknown>['getExecutor'] }): DialectKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Insertion order of `sandbox_provisioning_kpis` (the tie-breaker after `timestamp`): SQLite's `rowid`, the
 * identity column `seq` on PostgreSQL.
 */
export function insertionOrder(kind: DialectKind): RawBuilder<number> {
  return sql<number>`${sql.ref(kind === 'sqlite' ? 'rowid' : 'seq')}`;
}

/**
 * The change-feed cursor of a table. SQLite commits one writer at a time, so `rowid`/`id` order is commit
 * order. PostgreSQL hands out ids before commit, so a later id can commit first: there the cursor is the
 * writing transaction's id (`writer_txid`), and only transactions older than every running one are read
 * (`feedHorizon`), so nothing can still commit below the cursor. Rows of one transaction share a cursor value.
 */
export function feedCursor(kind: DialectKind, table: 'kpis' | 'perf', alias?: string): RawBuilder<number> {
  const column = kind === 'postgres' ? 'writer_txid' : table === 'kpis' ? 'rowid' : 'id';
  return sql<number>`${sql.ref(alias === undefined ? column : `${alias}.${column}`)}`;
}

/** `true` on SQLite; on PostgreSQL, "the writing transaction of this row has ended, as have all older ones". */
export function feedHorizon(kind: DialectKind): RawBuilder<boolean> {
  if (kind === 'sqlite') return sql<boolean>`1 = 1`;
  return sql<boolean>`${sql.ref('writer_txid')} < txid_snapshot_xmin(txid_current_snapshot())`;
}

const SQLITE_DATA_VERSION = CompiledQuery.raw(
  // total_changes() counts this connection's writes, data_version moves when another connection commits.
  'select total_changes() as changes, (select data_version from pragma_data_version) as version',
);
const POSTGRES_DATA_VERSION = CompiledQuery.raw(
  // The snapshot (xmin:xmax:running xids) changes whenever any writing transaction starts or ends.
  `select 0 as changes, txid_current_snapshot()::text as version`,
);

/** A query whose `changes:version` changes whenever anything was committed to the database since. */
export function dataVersionQuery(kind: DialectKind): CompiledQuery {
  return kind === 'sqlite' ? SQLITE_DATA_VERSION : POSTGRES_DATA_VERSION;
}

/** A write that failed only because of another transaction (a PostgreSQL deadlock or serialization failure). */
export function isTransientWriteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** True when `target` names a PostgreSQL database (`postgres://` or `postgresql://`), not a SQLite path. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target.trim());
}
