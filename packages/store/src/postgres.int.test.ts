import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDatabase, SandboxProvisioningKPI, StoreError } from '@sbx/store';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPg } from './open-postgres.js';
import { SBX_POSTGRES_MIGRATIONS } from './sbx-migrations.js';
import { createPgDatabase, TEST_PG_URL } from './test-databases.test-support.js';

// Needs a PostgreSQL server (SBX_TEST_PG_URL; CI starts one with .ci/prereqs/postgres.sh). No skip: without it,
// these fail, in CI and locally.

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const workerScript = fileURLToPath(new URL('./postgres-migration.worker.mjs', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

function startWorker(url: string, hostId: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, url, hostId], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  if (!child.stdout) throw new Error('worker without stdout');
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const ready = iterator.next().then(() => undefined);
  const done = new Promise<{ hostId: string; applied: string[] }>((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`worker ${hostId} exited ${code}: ${stderr}`)),
    );
    iterator.next().then((r) => resolve(JSON.parse(String(r.value))), reject);
  });
  return { child, ready, done };
}

describe('PostgreSQL', () => {
  it('is reachable at SBX_TEST_PG_URL (the other PostgreSQL tests need it)', async () => {
    const db = await openDatabase(TEST_PG_URL, { migrate: false });
    const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
    expect(rows[0]?.v).toMatch(/^\d+/);
    await db.destroy();
  });

  it('4 processes opening a new database at once migrate it exactly once and all write to it', async () => {
    const url = await createPgDatabase();
    const workers = ['a', 'b', 'c', 'd'].map((host) => startWorker(url, host));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin?.write('go\n');
    const results = await Promise.all(workers.map((w) => w.done));
    const applied = results.flatMap((r) => r.applied);
    // Kysely's migrator holds an advisory lock: one process ran every migration, the others found none to run.
    expect(applied.sort()).toEqual(Object.keys(SBX_POSTGRES_MIGRATIONS).sort());
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const db = await openDatabase(url);
    const kpis = new SandboxProvisioningKPI(db);
    expect(await kpis.count()).toBe(4);
    expect((await kpis.listRecent()).map((r) => r.hostId).sort()).toEqual(['a', 'b', 'c', 'd']);
    await db.destroy();
  });

  it('says which server it could not reach, without the password', async () => {
    const error = await openDatabase('postgres://sbx:secret@127.0.0.1:1/nowhere').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'OPEN_FAILED' });
    expect((error as Error).message).toContain('postgres://sbx:***@127.0.0.1:1/nowhere');
    expect((error as Error).message).not.toContain('secret');
  });

  it('asks for the pg package when it is not installed', async () => {
    const error = await loadPg(() => Promise.reject(new Error("Cannot find package 'pg'"))).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'OPEN_FAILED', message: expect.stringContaining('npm install pg') });
  });
});
