// pnpm --filter @sbx/store bench:fleet  (needs PostgreSQL at SBX_TEST_PG_URL)
// Both dialects side by side in one run: recordMany throughput, getP95Latency at 1,000,000 rows, and 4 agent-host
// processes x 2,500 provisionings recorded concurrently into one PostgreSQL database. Bounded: a few minutes.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ProvisionResult, quantile } from '@sbx/timing';
import Database from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { openDatabase, SandboxProvisioningKPI, type SbxDatabase } from '../src/index.js';

const PG_URL = process.env.SBX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/sbx_test';
const BIG = Number(process.env.SBX_BENCH_ROWS ?? 1_000_000);
const INGEST = 40_000;
const P95_CALLS = 1_000;
const HOSTS = 4;
const PER_HOST = 2_500;
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sbx-fleet-bench-'));
const databases: string[] = [];

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(text).finally(() => client.end());
}
async function newPg(): Promise<string> {
  const name = `sbx_bench_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`create database ${name}`);
  databases.push(name);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
const results = (n: number): ProvisionResult[] =>
  Array.from({ length: n }, (_, i) => ({
    sandboxType: i % 2 === 0 ? 'docker' : 'webcontainer',
    durationMs: 50 + (i % 9_973),
    status: 'ok',
    timestamp: new Date(Date.parse('2026-01-01T00:00:00Z') + i),
    attributes: { hostId: `h${i % 4}`, tenant: 't' },
    phases: [{ name: 'create', startMs: 0, durationMs: 5 }],
  }));

/** What the bench writes: the store's rows of `batch`, as a raw driver would send them. */
function rawRows(batch: ProvisionResult[]) {
  return batch.map((r) => {
    const id = randomUUID();
    const kpi = [
      id,
      r.sandboxType,
      r.durationMs,
      r.status,
      r.timestamp.toISOString(),
      30_000,
      null,
      null,
      null,
      r.attributes?.tenant ?? null,
      r.attributes?.hostId ?? null,
      'cold',
    ];
    return {
      kpi,
      phases: (r.phases ?? []).map((p, seq) => [id, seq, p.name, p.startMs, p.durationMs]),
    };
  });
}
const KPI_INSERT_COLUMNS =
  '(id, sandbox_type, duration_ms, status, timestamp, sla_limit_ms, error_name, error_message, error_code, tenant, host_id, source)';

/** Raw better-sqlite3, configured as openDatabase() does: prepared statements in one transaction per batch. */
function sqliteBaseline(path: string): (batch: ProvisionResult[]) => Promise<void> {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  const kpi = raw.prepare(
    `insert into sandbox_provisioning_kpis ${KPI_INSERT_COLUMNS} values (${'?, '.repeat(11)}?)`,
  );
  const phase = raw.prepare(
    'insert into sandbox_provisioning_phases (provision_id, seq, name, start_ms, duration_ms) values (?, ?, ?, ?, ?)',
  );
  const write = raw.transaction((rows: ReturnType<typeof rawRows>) => {
    for (const r of rows) {
      kpi.run(r.kpi);
      for (const p of r.phases) phase.run(p);
    }
  });
  return async (batch) => write(rawRows(batch));
}

/** Raw `pg`, the way sbx wrote before (and most code does): 100-row INSERT ... VALUES statements in one transaction. */
function postgresBaseline(url: string): {
  write: (batch: ProvisionResult[]) => Promise<void>;
  end(): Promise<void>;
} {
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  const values = (rows: unknown[][]) => {
    const width = rows[0]?.length ?? 0;
    return rows
      .map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`)
      .join(', ');
  };
  return {
    async write(batch) {
      await connected;
      const rows = rawRows(batch);
      await client.query('begin');
      for (let i = 0; i < rows.length; i += 100) {
        const kpis = rows.slice(i, i + 100).map((r) => r.kpi);
        await client.query(
          `insert into sandbox_provisioning_kpis ${KPI_INSERT_COLUMNS} values ${values(kpis)}`,
          kpis.flat(),
        );
      }
      const phases = rows.flatMap((r) => r.phases);
      for (let i = 0; i < phases.length; i += 100) {
        const chunk = phases.slice(i, i + 100);
        await client.query(
          `insert into sandbox_provisioning_phases (provision_id, seq, name, start_ms, duration_ms) values ${values(chunk)}`,
          chunk.flat(),
        );
      }
      await client.query('commit');
    },
    end: () => client.end(),
  };
}

/**
 * recordMany() rows/s against the raw driver into a second database of the same engine, batches interleaved (a busy
 * neighbour hits both alike). Each side gets its own freshly migrated database.
 */
async function ingest(store: Kysely<SbxDatabase>, baseline: (batch: ProvisionResult[]) => Promise<void>) {
  const kpis = new SandboxProvisioningKPI(store);
  const batch = results(1_000);
  let storeMs = 0;
  let rawMs = 0;
  for (let done = -2 * batch.length; done < INGEST; done += batch.length) {
    let t = performance.now();
    await kpis.recordMany(batch);
    const s = performance.now() - t;
    t = performance.now();
    await baseline(batch);
    const r = performance.now() - t;
    // The first two batches warm both up.
    if (done >= 0) {
      storeMs += s;
      rawMs += r;
    }
  }
  return { store: INGEST / (storeMs / 1000), raw: INGEST / (rawMs / 1000) };
}

// Bulk rows straight in SQL (the triggers keep the rollups), then the read the SLA verdict makes.
async function p95AtScale(db: Kysely<SbxDatabase>, kind: 'sqlite' | 'postgres'): Promise<number[]> {
  const chunk = 100_000;
  for (let start = 0; start < BIG; start += chunk) {
    const series =
      kind === 'postgres'
        ? sql`select g as i from generate_series(${start}::int, ${start + chunk - 1}::int) g`
        : sql`select i from (with recursive r(i) as (select ${start} union all select i + 1 from r
            where i < ${start + chunk - 1}) select i from r)`;
    const ts =
      kind === 'postgres'
        ? sql`to_char(timestamp '2025-01-01' + s.i * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
        : sql`strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || (s.i / 1000.0) || ' seconds')`;
    await sql`insert into sandbox_provisioning_kpis (id, sandbox_type, duration_ms, status, timestamp, sla_limit_ms, host_id)
      select 'b' || s.i, case when s.i % 2 = 0 then 'docker' else 'webcontainer' end, 50 + s.i % 9973, 'ok', ${ts},
        30000, 'h' || (s.i % 4) from (${series}) s`.execute(db);
  }
  const kpis = new SandboxProvisioningKPI(db);
  const fleet: number[] = [];
  const oneHost: number[] = [];
  for (let i = 0; i < P95_CALLS; i++) {
    let t = performance.now();
    await kpis.getP95Latency('docker');
    fleet.push(performance.now() - t);
    t = performance.now();
    await kpis.getP95Latency('docker', { host: 'h2' });
    oneHost.push(performance.now() - t);
  }
  return [quantile(fleet, 0.5) ?? Number.NaN, quantile(oneHost, 0.5) ?? Number.NaN];
}

async function fourHosts(): Promise<{ rows: number; seconds: number }> {
  const url = await newPg();
  await (await openDatabase(url)).destroy();
  const worker = fileURLToPath(new URL('./fleet-writer.worker.mjs', import.meta.url));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: HOSTS }, (_, h) =>
      run(process.execPath, ['--import', 'tsx', worker, url, `host-${h}`, String(PER_HOST)]),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const db = await openDatabase(url);
  const rows = await new SandboxProvisioningKPI(db).count();
  await db.destroy();
  return { rows, seconds };
}

try {
  const sqlite = await openDatabase(join(dir, 'ingest.db'));
  await (await openDatabase(join(dir, 'ingest-raw.db'))).destroy();
  const sqliteRates = await ingest(sqlite, sqliteBaseline(join(dir, 'ingest-raw.db')));
  const postgres = await openDatabase(await newPg());
  const rawUrl = await newPg();
  await (await openDatabase(rawUrl)).destroy();
  const rawPg = postgresBaseline(rawUrl);
  const pgRates = await ingest(postgres, rawPg.write);
  await rawPg.end();
  const rate = (x: number) => x.toFixed(0).padStart(6);
  console.log(`recordMany, 1,000 results (1 phase each) per call, ${INGEST} results, rows/s (results):`);
  console.log(
    `  sqlite    store ${rate(sqliteRates.store)}  raw better-sqlite3 ${rate(sqliteRates.raw)}  store/raw ${(sqliteRates.store / sqliteRates.raw).toFixed(2)}`,
  );
  console.log(
    `  postgres  store ${rate(pgRates.store)}  raw pg (100-row INSERTs) ${rate(pgRates.raw)}  store/raw ${(pgRates.store / pgRates.raw).toFixed(2)}  pg/sqlite ${(pgRates.store / sqliteRates.store).toFixed(2)}  target pg >= 20000 ${pgRates.store >= 20_000 ? 'MET' : 'MISSED'}`,
  );
  await sqlite.destroy();
  await postgres.destroy();

  const bigSqlite = await openDatabase(join(dir, 'big.db'));
  const bigPg = await openDatabase(await newPg());
  const [sFleet = Number.NaN, sHost = Number.NaN] = await p95AtScale(bigSqlite, 'sqlite');
  const [pFleet = Number.NaN, pHost = Number.NaN] = await p95AtScale(bigPg, 'postgres');
  console.log(
    `getP95Latency p50 at ${BIG} rows  fleet: sqlite ${sFleet.toFixed(3)} ms  postgres ${pFleet.toFixed(3)} ms (pg/sqlite ${(pFleet / sFleet).toFixed(2)}; target pg <= 2 ms)`,
  );
  console.log(
    `getP95Latency p50 at ${BIG} rows  one host: sqlite ${sHost.toFixed(3)} ms  postgres ${pHost.toFixed(3)} ms`,
  );
  await bigSqlite.destroy();
  await bigPg.destroy();

  const four = await fourHosts();
  console.log(
    `${HOSTS} processes x ${PER_HOST} record() into one PostgreSQL: ${four.rows} rows of ${HOSTS * PER_HOST} (${four.rows === HOSTS * PER_HOST ? 'none lost' : 'ROWS LOST'}) in ${four.seconds.toFixed(1)} s`,
  );
} finally {
  for (const name of databases) await admin(`drop database if exists ${name} with (force)`);
  rmSync(dir, { recursive: true, force: true });
}
