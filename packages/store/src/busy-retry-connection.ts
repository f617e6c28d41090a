import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';

/** SQLite's own busy wait per attempt: a synchronous sleep on the event loop, so it stays this short. */
export const BUSY_SLICE_MS = 5;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

/** True when `error` is SQLite's "the database is locked" (`SQLITE_BUSY` and its extended codes). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * A SQLite connection whose statements, when another process holds the write lock, are retried with an
 * asynchronous backoff (5 ms doubling to 100 ms) for up to `budgetMs`, then fail with the last `SQLITE_BUSY`.
 * SQLite's own busy timeout is a synchronous wait that stops the event loop (every request, `/healthz`
 * included, waits with it); here the loop waits at most `BUSY_SLICE_MS` per attempt. Retrying is safe: a
 * busy statement did nothing, and every transaction the store opens is `begin immediate`, so a statement
 * inside one never meets the lock.
 */
export class BusyRetryConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  readonly #budgetMs: number;

  constructor(inner: DatabaseConnection, budgetMs: number) {
    this.#inner = inner;
    this.#budgetMs = budgetMs;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = performance.now() + this.#budgetMs;
    for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        return await this.#inner.executeQuery<R>(query);
      } catch (error) {
        const left = deadline - performance.now();
        if (!isSqliteBusy(error) || left <= 0) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(backoff, left)));
      }
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.#inner.streamQuery<R>(query, chunkSize);
  }
}
