import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

// SQLite's busy timeout is a synchronous sleep: while another connection held the write lock, every timer,
// request and health check of the process waited with the writer. The store now waits off the event loop.

const result = { sandboxType: 'docker', durationMs: 5, status: 'ok', timestamp: new Date(0) } as const;

function lockedFile() {
  const file = join(mkdtempSync(join(tmpdir(), 'sbx-busy-')), 'sbx.db');
  return file;
}

describe('a write meeting another connection’s lock', () => {
  it('waits without holding the event loop, and succeeds once the lock is released', async () => {
    const file = lockedFile();
    const db = await openDatabase(file, { busyTimeoutMs: 3_000 });
    const kpis = new SandboxProvisioningKPI(db);
    const holder = new Database(file);
    holder.exec('BEGIN EXCLUSIVE');
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(performance.now()), 10);
    setTimeout(() => holder.exec('COMMIT'), 300);
    const started = performance.now();
    await kpis.record(result);
    const tookMs = performance.now() - started;
    clearInterval(ticker);
    holder.close();
    expect(await kpis.count()).toBe(1);
    // Released at ~300 ms, well before the 3 s budget; the loop ran all along.
    expect(tookMs).toBeLessThan(1_500);
    expect(ticks.length).toBeGreaterThan(10);
    const gaps = ticks.slice(1).map((t, i) => t - (ticks[i] as number));
    expect(Math.max(...gaps)).toBeLessThan(100);
    await db.destroy();
  });

  it('fails with DATABASE_BUSY once its budget is spent, the loop free meanwhile', async () => {
    const file = lockedFile();
    const db = await openDatabase(file, { busyTimeoutMs: 200 });
    const kpis = new SandboxProvisioningKPI(db);
    const holder = new Database(file);
    holder.exec('BEGIN EXCLUSIVE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    await expect(kpis.record(result)).rejects.toMatchObject({ code: 'DATABASE_BUSY' });
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(5);
    holder.exec('COMMIT');
    holder.close();
    await db.destroy();
  });
});
