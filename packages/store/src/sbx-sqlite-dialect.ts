import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import { BusyRetryConnection } from './busy-retry-connection.js';

// In WAL mode a deferred transaction that read first and then writes fails with SQLITE_BUSY_SNAPSHOT when
// another process committed in between, without waiting for the busy timeout. Every transaction the store
// opens writes, so it takes the write lock up front and waits its turn instead.
// Each statement goes through a BusyRetryConnection: a lock held by another process is waited for off the loop.
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #busyRetryMs: number;
  readonly #connections = new WeakMap<DatabaseConnection, BusyRetryConnection>();

  constructor(config: SqliteDialectConfig, busyRetryMs: number) {
    super(config);
    this.#busyRetryMs = busyRetryMs;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    let wrapped = this.#connections.get(inner);
    if (!wrapped) {
      wrapped = new BusyRetryConnection(inner, this.#busyRetryMs);
      this.#connections.set(inner, wrapped);
    }
    return wrapped;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

// SQLite does run DDL inside transactions; saying so makes Kysely's Migrator wrap all pending migrations in
// one (immediate) transaction: a failed migration leaves nothing behind, and two processes opening a new
// file at once migrate one after the other instead of both creating the same tables.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Kysely's SQLite dialect with immediate transactions, transactional migrations and a lock held by another
 * process retried asynchronously for up to `busyRetryMs` (default 0: fail at once).
 */
export class SbxSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #busyRetryMs: number;

  constructor(config: SqliteDialectConfig & { busyRetryMs?: number }) {
    super(config);
    this.#config = config;
    this.#busyRetryMs = config.busyRetryMs ?? 0;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#busyRetryMs);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
