import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  migrateToLatest,
  openDatabase,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
  StoreError,
} from '@sbx/store';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sbx-store-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `case-${++n}`, 'deeper', 'sbx.db');

const result = {
  sandboxType: 'docker' as const,
  durationMs: 2_500.75,
  status: 'ok' as const,
  timestamp: new Date('2026-11-22T09:00:00.000Z'),
  phases: [{ name: 'start', startMs: 0, durationMs: 2_500 }],
};

describe('a database file', () => {
  it('is created with its folders, in WAL mode with a busy timeout and synchronous = NORMAL', async () => {
    const path = freshPath();
    const db = await openDatabase(path, { busyTimeoutMs: 1_234 });
    try {
      expect(existsSync(path)).toBe(true);
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1); // NORMAL
      // SQLite itself waits one 5 ms slice on the event loop; the 1,234 ms budget is retried off it.
      expect(await pragma('busy_timeout')).toBe(5);
      expect(await pragma('foreign_keys')).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('keeps its rows when reopened, and reopening migrates nothing', async () => {
    const path = freshPath();
    const first = await openDatabase(path);
    await new SandboxProvisioningKPI(first).record(result);
    await new SandboxPerfRecordRepository(first).insert('sandbox_perf_records', {
      sandboxId: 'sb-1',
      startTime: 1_700_000_000_000,
      durationMs: 42,
      outcome: 'success',
      alertFired: false,
    });
    await first.destroy();

    const again = await openDatabase(path);
    try {
      expect(await migrateToLatest(again)).toEqual([]);
      const [row] = await new SandboxProvisioningKPI(again).listRecent();
      expect(row).toMatchObject({ durationMs: 2_500.75, timestamp: result.timestamp, phases: result.phases });
      expect(await new SandboxProvisioningKPI(again).getP95Latency('docker')).toBe(2_500.75);
      expect((await new SandboxPerfRecordRepository(again).listRecent())[0]).toMatchObject({
        sandboxId: 'sb-1',
      });
    } finally {
      await again.destroy();
    }
  });

  it('fails with OPEN_FAILED, naming the path and what to do, when the folder cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const error = await openDatabase(join(blocker, 'sbx.db')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'OPEN_FAILED' });
    expect((error as Error).message).toContain(blocker);
    expect((error as Error).message).toContain('or pass another path');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('fails with OPEN_FAILED when the file is not a SQLite database', async () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(
      path,
      'this is certainly not a sqlite database file, just some text that is long enough '.repeat(20),
    );
    await expect(openDatabase(path)).rejects.toMatchObject({
      code: 'OPEN_FAILED',
      message: expect.stringContaining('not a database'),
    });
  });

  it('fails with OPEN_FAILED when the path is a folder', async () => {
    const path = join(dir, 'a-folder');
    mkdirSync(path);
    await expect(openDatabase(path)).rejects.toMatchObject({ code: 'OPEN_FAILED' });
  });

  it('is closed again when its migrations fail', async () => {
    const path = freshPath();
    const db = await openDatabase(path);
    await sql`insert into kysely_migration (name, timestamp) values ('2099_01_01_000000_future', '2099')`.execute(
      db,
    );
    await db.destroy();

    await expect(openDatabase(path)).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    // SQLite removes the WAL file when the last connection closes.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('fails a write with DATABASE_BUSY while another connection holds the lock past the timeout', async () => {
    const path = freshPath();
    const db = await openDatabase(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    try {
      const kpis = new SandboxProvisioningKPI(db);
      other.exec('begin immediate');
      const error = await kpis.record(result).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'DATABASE_BUSY',
        message: expect.stringContaining('busyTimeoutMs'),
      });
      await expect(kpis.record({ ...result, phases: undefined })).rejects.toMatchObject({
        code: 'DATABASE_BUSY',
      });
      other.exec('commit');
      await kpis.record(result);
      expect(await kpis.count()).toBe(1);
      expect(await db.selectFrom('sandbox_provisioning_phases').select('name').execute()).toHaveLength(1);
    } finally {
      other.close();
      await db.destroy();
    }
  });

  it("changes the data version when another process writes, so a reader's cache never goes stale", async () => {
    const path = freshPath();
    const db = await openDatabase(path);
    const writer = await openDatabase(path);
    try {
      const kpis = new SandboxProvisioningKPI(db);
      const before = await kpis.dataVersion();
      expect(await kpis.dataVersion()).toBe(before);
      await new SandboxProvisioningKPI(writer).record(result);
      const after = await kpis.dataVersion();
      expect(after).not.toBe(before);
      expect(await kpis.count()).toBe(1);
      expect(await kpis.dataVersion()).toBe(after);
    } finally {
      await writer.destroy();
      await db.destroy();
    }
  });
});
