import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeDatabase } from '@sbx/store';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';

describe('resolveConfig for a fleet', () => {
  it('takes a postgres:// URL from --db or SBX_DB as it is, and never shows its password', () => {
    const url = 'postgres://sbx:s3cret@db.internal:5432/sbx';
    expect(resolveConfig({ db: url }, {})).toMatchObject({
      dbPath: url,
      dbLabel: 'postgres://sbx:***@db.internal:5432/sbx',
    });
    expect(resolveConfig({}, { SBX_DB: url }).dbPath).toBe(url);
    expect(describeDatabase('./.sbx/sbx.db')).toBe('./.sbx/sbx.db');
  });

  it('names the host by --host-id, then SBX_HOST_ID, then the hostname; only the flag scopes reports', () => {
    expect(resolveConfig({ hostId: 'a-1' }, { SBX_HOST_ID: 'b' })).toMatchObject({
      hostId: 'a-1',
      reportHost: 'a-1',
    });
    expect(resolveConfig({}, { SBX_HOST_ID: 'b' })).toMatchObject({ hostId: 'b', reportHost: undefined });
    expect(resolveConfig({}, {}).hostId).toBe(hostname());
  });

  it('refuses a host id that would not survive a label or a URL', () => {
    expect(() => resolveConfig({ hostId: 'a b' }, {})).toThrow(/--host-id must be 1-128/);
    expect(() => resolveConfig({}, { SBX_HOST_ID: 'x'.repeat(129) })).toThrow(/SBX_HOST_ID/);
  });
});

describe('resolveConfig never turns a database URL into a path', () => {
  it('keeps a PostgreSQL host’s files in SBX_HOME or ./.sbx, never in a folder named after the URL', () => {
    for (const url of [
      'postgres://user:s3cret@host/db',
      'postgresql://user:s3cret@127.0.0.1:55499/db?sslmode=disable',
      ' POSTGRES://u:s3cret@h/db',
    ]) {
      expect(resolveConfig({ db: url }, {}).stateDir).toBe('./.sbx');
      expect(resolveConfig({}, { SBX_DB: url, SBX_HOME: '/var/lib/sbx' }).stateDir).toBe('/var/lib/sbx');
      expect(resolveConfig({ db: url }, {}).dbLabel).not.toContain('s3cret');
    }
  });

  it('keeps a SQLite host’s files beside its database', () => {
    expect(resolveConfig({ db: '/data/x/sbx.db' }, { SBX_HOME: '/elsewhere' }).stateDir).toBe('/data/x');
    expect(resolveConfig({}, {}).stateDir).toBe('./.sbx');
    expect(resolveConfig({ db: '/data/x/sbx.db' }, {}).agentDir).toBe('/data/x/agents');
    // absolute whatever the database (the engine bind-mounts it), and beside the spool when SBX_STATE_DIR says
    expect(resolveConfig({ db: 'postgres://u@127.0.0.1/db' }, {}).agentDir).toBe(
      join(process.cwd(), '.sbx', 'agents'),
    );
    expect(resolveConfig({ db: 'postgres://u@127.0.0.1/db' }, { SBX_STATE_DIR: '/srv/state' }).agentDir).toBe(
      '/srv/state/agents',
    );
    expect(resolveConfig({ db: 'rel/sbx.db' }, {}).agentDir).toBe(join(process.cwd(), 'rel', 'agents'));
  });

  it('refuses a URL of an unknown scheme in one line naming the known ones, from the flag or SBX_DB', () => {
    for (const typo of [
      'postgress://u:s3cret@h/db',
      'mysql://h/db',
      'pg://h/db',
      'sqlite://x.db',
      'http://h',
    ]) {
      expect(() => resolveConfig({ db: typo }, {})).toThrow(
        /^--db has the unknown scheme "[^"]+:\/\/": use postgres:\/\/ or postgresql:\/\/ \(PostgreSQL\), or a file path \(SQLite\)$/,
      );
      expect(() => resolveConfig({}, { SBX_DB: typo })).toThrow(/^SBX_DB has the unknown scheme/);
    }
    expect(() => resolveConfig({ db: 'postgress://u:s3cret@h/db' }, {})).not.toThrow(/s3cret/);
    // Paths that merely contain a colon are still SQLite files.
    expect(resolveConfig({ db: './a:b.db' }, {}).dbPath).toBe('./a:b.db');
    expect(resolveConfig({ db: ':memory:' }, {}).dbPath).toBe(':memory:');
  });
});
