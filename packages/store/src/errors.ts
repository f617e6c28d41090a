/** What went wrong in @sbx/store. */
export type StoreErrorCode =
  /** A value handed to the store was refused before anything was written; `field` names it. */
  | 'INVALID_INPUT'
  /** The database file could not be created, opened or configured. */
  | 'OPEN_FAILED'
  /** The schema could not be brought to the latest version (nothing of the failed step is kept). */
  | 'MIGRATION_FAILED'
  /** Another process held the write lock for longer than the busy timeout. */
  | 'DATABASE_BUSY'
  /** A write failed (closed database, full disk, read-only file, ...). */
  | 'WRITE_FAILED'
  /** A query failed (closed database, corrupt file, missing schema, ...). */
  | 'READ_FAILED';

/** Options of a `StoreError`. */
export interface StoreErrorOptions {
  /** The third-party error this wraps (better-sqlite3, Kysely). */
  cause?: unknown;
  /** For `INVALID_INPUT`: the path of the refused field, e.g. `durationMs` or `phases[1].name`. */
  field?: string;
}

/** The one error class of @sbx/store: a `code`, the refused `field` for bad input, and the wrapped `cause`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly field: string | undefined;

  constructor(code: StoreErrorCode, message: string, options: StoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/** True when `error` is a `StoreError`, optionally with the given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

// better-sqlite3 puts SQLite's result code (SQLITE_BUSY, SQLITE_READONLY, ...) on `code`.
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Wraps a driver failure of `action` (e.g. `record a provisioning result`) in a `StoreError` that says what to do. */
export function wrapDriverError(error: unknown, action: string, kind: 'read' | 'write'): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = sqliteCode(error);
  if (code?.startsWith('SQLITE_BUSY')) {
    return new StoreError(
      'DATABASE_BUSY',
      `Could not ${action}: the database is locked by another process (${message}) - retry, or raise busyTimeoutMs in openDatabase()`,
      { cause: error },
    );
  }
  if (isPostgresError(error)) {
    return new StoreError(
      kind === 'write' ? 'WRITE_FAILED' : 'READ_FAILED',
      `Could not ${action} in PostgreSQL: ${message} - check that the server is up, the database was migrated ` +
        '(openDatabase() migrates by default) and the role in the postgres:// URL may use its tables',
      { cause: error },
    );
  }
  if (kind === 'write') {
    return new StoreError(
      'WRITE_FAILED',
      `Could not ${action}: ${message} - check that the database is open and its file and folder are writable`,
      { cause: error },
    );
  }
  return new StoreError(
    'READ_FAILED',
    `Could not ${action}: ${message} - check that the database is open and was migrated (openDatabase() migrates by default)`,
    { cause: error },
  );
}

/** True for an error the PostgreSQL server sent (`pg` puts its SQLSTATE, five characters, on `code`, and a `severity`). */
export function isPostgresError(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}
