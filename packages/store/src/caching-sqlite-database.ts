import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** The part of a better-sqlite3 statement Kysely runs, plus `busy` (true while an iterator is open on it). */
export interface CacheableStatement extends SqliteStatement {
  readonly busy: boolean;
}

/** The part of a better-sqlite3 database this wrapper uses. */
export interface PreparingDatabase {
  prepare(sql: string): CacheableStatement;
  close(): void;
}

/** Default number of prepared statements kept per database. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

/**
 * A Kysely `SqliteDatabase` that keeps prepared statements by SQL text. Kysely's SQLite driver calls
 * `prepare()` for every query; the store's queries repeat, so preparing each text once removes that cost.
 */
export class CachingSqliteDatabase implements SqliteDatabase {
  readonly #db: PreparingDatabase;
  readonly #maxSize: number;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  readonly #statements = new Map<string, CacheableStatement>();

  constructor(db: PreparingDatabase, maxSize = DEFAULT_STATEMENT_CACHE_SIZE) {
    this.#db = db;
    this.#maxSize = Math.max(1, maxSize);
  }

  /** How many prepared statements are cached. */
  get size(): number {
    return this.#statements.size;
  }

  /** The cached statement for `sql`, prepared on first use (or afresh while the cached one is iterating). */
  prepare(sql: string): CacheableStatement {
    const cached = this.#statements.get(sql);
    // A statement with an open iterator (Kysely's streamQuery) cannot run again until that iterator ends.
    if (cached?.busy) return this.#db.prepare(sql);
    if (cached) {
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = this.#db.prepare(sql);
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.#maxSize) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    return statement;
  }

  /** Forgets the statements and closes the database. */
  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}
