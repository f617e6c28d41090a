// pnpm --filter @sbx/store bench:fleet  (needs PostgreSQL at SBX_TEST_PG_URL)
// Both dialects side by side in one run: recordMany throughput, getP95Latency at 1,000,000 rows, and 4 agent-host
// processes x 2,500 provisionings recorded concurrently into one PostgreSQL database. Bounded: a few minutes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ProvisionResult } from '@sbx/timing';
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
const percentile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.ceil(q * xs.length) - 1] ?? NaN;
const results = (n: number): ProvisionResult[] =>
  Array.from({ length: n }, (_, i) => ({
    sandboxType: i % 2 === 0 ? 'docker' : 'webcontainer',
    durationMs: 50 + (i % 9_973),
    status: 'ok',
    timestamp: new Date(Date.parse('2026-01-01T00:00:00Z') + i),
    attributes: { hostId: `h${i % 4}`, tenant: 't' },
    phases: [{ name: 'create', startMs: 0, durationMs: 5 }],
  }));

async function ingest(db: Kysely<SbxDatabase>): Promise<number> {
  const kpis = new SandboxProvisioningKPI(db);
  const batch = results(1_000);
  const started = performance.now();
  for (let done = 0; done < INGEST; done += batch.length) await kpis.recordMany(batch);
  return INGEST / ((performance.now() - started) / 1000);
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
  return [percentile(fleet, 0.5), percentile(oneHost, 0.5)];
}

async function fourHosts(): Promise<{ rows: number; seconds: number }> {
  const url = await newPg();
  (await openDatabase(url)).destroy();
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
  const postgres = await openDatabase(await newPg());
  const ingestSqlite = await ingest(sqlite);
  const ingestPg = await ingest(postgres);
  console.log(
    `recordMany rows/s     sqlite ${ingestSqlite.toFixed(0)}  postgres ${ingestPg.toFixed(0)}  (pg/sqlite ${(ingestPg / ingestSqlite).toFixed(2)}; target pg >= 20000)`,
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
