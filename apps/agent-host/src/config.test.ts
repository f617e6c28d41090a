import { hostname } from 'node:os';
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
