import { isStoreError, StoreError } from '@sbx/store';
import { describe, expect, it } from 'vitest';
import { wrapDriverError } from './errors.js';

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('StoreError', () => {
  it('carries a code, the refused field and an ES2022 cause', () => {
    const cause = new Error('low level');
    const error = new StoreError('INVALID_INPUT', 'durationMs must be >= 0', { field: 'durationMs', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'StoreError', code: 'INVALID_INPUT', field: 'durationMs', cause });
    expect(new StoreError('READ_FAILED', 'x')).not.toHaveProperty('cause');
    expect(isStoreError(error)).toBe(true);
    expect(isStoreError(error, 'INVALID_INPUT')).toBe(true);
    expect(isStoreError(error, 'OPEN_FAILED')).toBe(false);
    expect(isStoreError(cause)).toBe(false);
  });
});

describe('wrapDriverError', () => {
  it('turns a lock held too long into DATABASE_BUSY with what to do', () => {
    const error = wrapDriverError(
      sqliteError('SQLITE_BUSY', 'database is locked'),
      'record a result',
      'write',
    );
    expect(error.code).toBe('DATABASE_BUSY');
    expect(error.message).toBe(
      'Could not record a result: the database is locked by another process (database is locked) - retry, or raise busyTimeoutMs in openDatabase()',
    );
    expect(wrapDriverError(sqliteError('SQLITE_BUSY_SNAPSHOT', 'x'), 'a', 'read').code).toBe('DATABASE_BUSY');
  });

  it('maps other failures to WRITE_FAILED or READ_FAILED, keeping the cause', () => {
    const readonly = sqliteError('SQLITE_READONLY', 'attempt to write a readonly database');
    const write = wrapDriverError(readonly, 'store a record', 'write');
    expect(write).toMatchObject({ code: 'WRITE_FAILED', cause: readonly });
    expect(write.message).toContain('attempt to write a readonly database - check that the database is open');
    const read = wrapDriverError('weird', 'count rows', 'read');
    expect(read).toMatchObject({
      code: 'READ_FAILED',
      message: expect.stringContaining('Could not count rows: weird'),
    });
  });

  it('words a PostgreSQL server error for PostgreSQL (no file, no folder), writes and reads alike', () => {
    const denied = Object.assign(new Error('permission denied for table provisioning_kpis'), {
      code: '42501',
      severity: 'ERROR',
    });
    for (const kind of ['write', 'read'] as const) {
      const error = wrapDriverError(denied, 'record a result', kind);
      expect(error).toMatchObject({ code: kind === 'write' ? 'WRITE_FAILED' : 'READ_FAILED', cause: denied });
      expect(error.message).toMatch(/^Could not record a result in PostgreSQL: permission denied .* - check/);
      expect(error.message).toContain('the role in the postgres:// URL');
      expect(error.message).not.toMatch(/file|folder/);
    }
  });

  it('passes a StoreError through unchanged', () => {
    const original = new StoreError('INVALID_INPUT', 'bad', { field: 'x' });
    expect(wrapDriverError(original, 'a', 'write')).toBe(original);
  });
});
