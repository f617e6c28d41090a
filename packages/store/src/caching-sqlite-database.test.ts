import { describe, expect, it, vi } from 'vitest';
import {
  type CacheableStatement,
  CachingSqliteDatabase,
  type PreparingDatabase,
} from './caching-sqlite-database.js';

function fakeDatabase() {
  const prepared: string[] = [];
  const statements: (CacheableStatement & { sql: string; busy: boolean })[] = [];
  const db: PreparingDatabase = {
    prepare(sql) {
      prepared.push(sql);
      const statement = {
        sql,
        busy: false,
        reader: sql.startsWith('select'),
        all: () => [],
        run: () => ({ changes: 0, lastInsertRowid: 0 }),
        iterate: () => [][Symbol.iterator](),
      };
      statements.push(statement);
      return statement;
    },
    close: vi.fn(),
  };
  return { db, prepared, statements };
}

describe('CachingSqliteDatabase', () => {
  it('prepares each SQL text once and hands back the same statement', () => {
    const { db, prepared } = fakeDatabase();
    const cache = new CachingSqliteDatabase(db);
    const a = cache.prepare('select 1');
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2']);
    expect(cache.size).toBe(2);
  });

  it('evicts the least recently used statement beyond its size', () => {
    const { db, prepared } = fakeDatabase();
    const cache = new CachingSqliteDatabase(db, 2);
    cache.prepare('a');
    cache.prepare('b');
    cache.prepare('a'); // a is now the most recent
    cache.prepare('c'); // evicts b
    expect(cache.size).toBe(2);
    cache.prepare('a');
    cache.prepare('b');
    expect(prepared).toEqual(['a', 'b', 'c', 'b']);
  });

  it('prepares a fresh statement while the cached one has an open iterator', () => {
    const { db, statements } = fakeDatabase();
    const cache = new CachingSqliteDatabase(db);
    const first = cache.prepare('select * from t');
    (statements[0] as { busy: boolean }).busy = true;
    const second = cache.prepare('select * from t');
    expect(second).not.toBe(first);
    (statements[0] as { busy: boolean }).busy = false;
    expect(cache.prepare('select * from t')).toBe(first);
  });

  it('forgets its statements and closes the database on close', () => {
    const { db } = fakeDatabase();
    const cache = new CachingSqliteDatabase(db);
    cache.prepare('select 1');
    cache.close();
    expect(cache.size).toBe(0);
    expect(db.close).toHaveBeenCalledOnce();
  });
});
