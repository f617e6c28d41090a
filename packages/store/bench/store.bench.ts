// pnpm --filter @sbx/store bench
// Measures @sbx/store against raw better-sqlite3 in the same run, on database files configured exactly as
// openDatabase() configures them (WAL, synchronous = NORMAL), and prints the ratios next to the targets.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProvisionResult, quantile } from '@sbx/timing';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely } from 'kysely';
import { CachingSqliteDatabase } from '../src/caching-sqlite-database.js';
import { migrateToLatest, openDatabase, SandboxProvisioningKPI, type SbxDatabase } from '../src/index.js';
import { SbxSqliteDialect } from '../src/sbx-sqlite-dialect.js';

const BIG_TABLE_ROWS = 1_000_000;
const INGEST_ROWS = 100_000;
const P95_CALLS = 2_000;
const SINGLE_ROUNDS = 7;
const SINGLE_PER_ROUND = 1_000;

const dir = mkdtempSync(join(tmpdir(), 'sbx-store-bench-'));
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const INSERT_SQL =
  'insert into sandbox_provisioning_kpis (id, sandbox_type, duration_ms, status, timestamp, sla_limit_ms, ' +
  'error_name, error_message, error_code) values (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const PHASE_SQL =
  'insert into sandbox_provisioning_phases (provision_id, seq, name, start_ms, duration_ms) values (?, ?, ?, ?, ?)';
const P95_SQL =
  'select duration_ms from sandbox_provisioning_kpis where sandbox_type = ? order by timestamp desc, rowid desc limit 100';
const PHASES = [
  { name: 'create', startMs: 0, durationMs: 120 },
  { name: 'start', startMs: 120, durationMs: 800 },
  { name: 'ready', startMs: 920, durationMs: 300 },
];

let fileNo = 0;
async function freshFile(): Promise<{ path: string; db: Kysely<SbxDatabase>; raw: Database.Database }> {
  const path = join(dir, `bench-${++fileNo}.db`);
  const db = await openDatabase(path);
  // A second connection for the raw baseline, configured the same way.
  const raw = new Database(path, { timeout: 5_000 });
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  return { path, db, raw };
}

function result(i: number, phases = false): ProvisionResult {
  return {
    sandboxType: 'docker',
    durationMs: 1_000 + (i % 5_000) * 1.5,
    status: 'ok',
    timestamp: new Date(T0 + i),
    ...(phases ? { phases: PHASES } : {}),
  };
}
function rawParams(i: number): unknown[] {
  const r = result(i);
  return [
    randomUUID(),
    r.sandboxType,
    r.durationMs,
    r.status,
    r.timestamp.toISOString(),
    30_000,
    null,
    null,
    null,
  ];
}

const median = (xs: number[]) => quantile(xs, 0.5) as number;
const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits });
const lines: string[] = [];
function report(name: string, value: string, baseline: string, ratio: number, target: string, met: boolean) {
  const line = `${name.padEnd(44)} ${value.padStart(16)}  raw ${baseline.padStart(16)}  ratio ${fmt(ratio, 2).padStart(5)}x  target ${target} ${met ? 'MET' : 'MISSED'}`;
  lines.push(line);
  console.log(line);
}

async function benchIngest(): Promise<void> {
  const a = await freshFile();
  const insert = a.raw.prepare(INSERT_SQL);
  const params = Array.from({ length: INGEST_ROWS }, (_, i) => rawParams(i));
  let t = performance.now();
  a.raw.transaction(() => {
    for (const p of params) insert.run(p);
  })();
  const rawRate = INGEST_ROWS / ((performance.now() - t) / 1_000);
  a.raw.close();
  await a.db.destroy();

  const b = await freshFile();
  const kpis = new SandboxProvisioningKPI(b.db);
  const results = Array.from({ length: INGEST_ROWS }, (_, i) => result(i));
  t = performance.now();
  await kpis.recordMany(results);
  const rate = INGEST_ROWS / ((performance.now() - t) / 1_000);
  report(
    'recordMany(): rows/s, one transaction',
    fmt(rate, 0),
    fmt(rawRate, 0),
    rawRate / rate,
    '>= 50,000 rows/s',
    rate >= 50_000,
  );

  const withPhases = Array.from({ length: 20_000 }, (_, i) => result(INGEST_ROWS + i, true));
  t = performance.now();
  await kpis.recordMany(withPhases);
  const phasedRate = withPhases.length / ((performance.now() - t) / 1_000);
  console.log(
    `  (info) recordMany() with 3 phases each: ${fmt(phasedRate, 0)} results/s (${fmt(phasedRate * 4, 0)} rows/s)`,
  );
  b.raw.close();
  await b.db.destroy();
}

async function benchSingleRecord(
  label: string,
  open: () => Promise<{ db: Kysely<SbxDatabase>; raw: Database.Database; close(): Promise<void> }>,
  phases: boolean,
): Promise<void> {
  const { db, raw, close } = await open();
  const kpis = new SandboxProvisioningKPI(db);
  const insert = raw.prepare(INSERT_SQL);
  const insertPhase = raw.prepare(PHASE_SQL);
  const rawOne = phases
    ? raw.transaction((p: unknown[]) => {
        insert.run(p);
        for (const [seq, ph] of PHASES.entries())
          insertPhase.run([p[0], seq, ph.name, ph.startMs, ph.durationMs]);
      })
    : (p: unknown[]) => insert.run(p);
  let i = 0;
  const rawTimes: number[] = [];
  const storeTimes: number[] = [];
  // Interleaved rounds, so drift (a growing table, a busy neighbour) hits both sides alike.
  for (let round = 0; round <= SINGLE_ROUNDS; round++) {
    let t = performance.now();
    for (let k = 0; k < SINGLE_PER_ROUND; k++) rawOne(rawParams(i++));
    const rawUs = ((performance.now() - t) * 1_000) / SINGLE_PER_ROUND;
    t = performance.now();
    for (let k = 0; k < SINGLE_PER_ROUND; k++) await kpis.record(result(i++, phases));
    const storeUs = ((performance.now() - t) * 1_000) / SINGLE_PER_ROUND;
    if (round > 0) {
      rawTimes.push(rawUs);
      storeTimes.push(storeUs);
    }
  }
  const ratio = median(storeTimes) / median(rawTimes);
  report(
    `record() ${label}: us/op`,
    fmt(median(storeTimes)),
    fmt(median(rawTimes)),
    ratio,
    '<= 2x',
    ratio <= 2,
  );
  await close();
}

async function benchP95(): Promise<void> {
  const { path, db, raw } = await freshFile();
  let t = performance.now();
  // Half docker, half webcontainer, one row per second; generated inside SQLite so setup stays quick.
  raw.exec(`
    with recursive n(x) as (select 0 union all select x + 1 from n where x + 1 < ${BIG_TABLE_ROWS})
    insert into sandbox_provisioning_kpis (id, sandbox_type, duration_ms, status, timestamp, sla_limit_ms)
    select printf('bench-%08d', x), case x % 2 when 0 then 'docker' else 'webcontainer' end,
           1000 + abs(random() % 20000) / 10.0, 'ok',
           strftime('%Y-%m-%dT%H:%M:%fZ', ${T0 / 1_000} + x, 'unixepoch'), 30000
    from n`);
  raw.exec('analyze');
  console.log(
    `  (setup) ${fmt(BIG_TABLE_ROWS, 0)} rows generated in ${fmt((performance.now() - t) / 1_000, 2)} s (rollup triggers included)`,
  );

  // The query getP95Latency() really sends, captured through Kysely's log, and SQLite's plan for it.
  let sent: CompiledQuery | undefined;
  const logged = new Kysely<SbxDatabase>({
    dialect: new SbxSqliteDialect({ database: new CachingSqliteDatabase(new Database(path)) }),
    log: (event) => {
      sent = event.query;
    },
  });
  await new SandboxProvisioningKPI(logged).getP95Latency('docker');
  if (!sent) throw new Error('getP95Latency sent no query');
  const plan = await logged.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${sent.sql}`, [...sent.parameters]),
  );
  console.log(`  (plan) ${sent.sql}\n  (plan) -> ${plan.rows.map((r) => r.detail).join(' | ')}`);
  await logged.destroy();

  const kpis = new SandboxProvisioningKPI(db);
  const select = raw.prepare(P95_SQL).pluck();
  const rawTimes: number[] = [];
  const storeTimes: number[] = [];
  let rawValue: number | undefined;
  let storeValue: number | undefined;
  for (let k = 0; k < P95_CALLS + 200; k++) {
    t = performance.now();
    rawValue = quantile(select.all('docker') as number[], 0.95);
    const rawMs = performance.now() - t;
    t = performance.now();
    storeValue = await kpis.getP95Latency('docker');
    const storeMs = performance.now() - t;
    if (k >= 200) {
      rawTimes.push(rawMs);
      storeTimes.push(storeMs);
    }
  }
  if (rawValue !== storeValue) throw new Error(`P95 differs: raw ${rawValue}, store ${storeValue}`);
  const p50 = median(storeTimes);
  report(
    'getP95Latency() on 1M rows: p50 ms',
    fmt(p50, 3),
    fmt(median(rawTimes), 3),
    p50 / median(rawTimes),
    '<= 1 ms',
    p50 <= 1,
  );
  console.log(
    `  (info) getP95Latency() p95 ${fmt(quantile(storeTimes, 0.95) as number, 3)} ms; value ${storeValue} ms`,
  );

  // What the index saves: the same query forced to ignore it.
  const unindexed = raw
    .prepare(P95_SQL.replace('from sandbox_provisioning_kpis', 'from sandbox_provisioning_kpis not indexed'))
    .pluck();
  const scans: number[] = [];
  for (let k = 0; k < 3; k++) {
    t = performance.now();
    unindexed.all('docker');
    scans.push(performance.now() - t);
  }
  console.log(
    `  (info) the same query with NOT INDEXED: p50 ${fmt(median(scans), 1)} ms (full scan and sort)`,
  );

  // What the host reads per type on every GET /v1/kpis: each must stay O(window), not O(table).
  for (const [label, read] of [
    ["getSlaVerdict('docker')", () => kpis.getSlaVerdict('docker')],
    ["getStats('docker', { window: 100 })", () => kpis.getStats('docker', { window: 100 })],
    ["getStats('docker', { window: 'all' }) (rollups)", () => kpis.getStats('docker', { window: 'all' })],
    [
      "getStats('docker', { since: 24 h before the newest })",
      () => kpis.getStats('docker', { since: new Date(T0 + (BIG_TABLE_ROWS - 86_400) * 1_000) }),
    ],
    ["getPhaseBreakdown('docker')", () => kpis.getPhaseBreakdown('docker')],
  ] as const) {
    const times: number[] = [];
    for (let k = 0; k < 200; k++) {
      t = performance.now();
      await read();
      times.push(performance.now() - t);
    }
    console.log(
      `  (info) ${label}: p50 ${fmt(median(times), 3)} ms, p95 ${fmt(quantile(times, 0.95) as number, 3)} ms`,
    );
  }
  raw.close();
  await db.destroy();
}

async function fileDatabases() {
  const f = await freshFile();
  return {
    ...f,
    close: async () => {
      f.raw.close();
      await f.db.destroy();
    },
  };
}

async function memoryDatabase() {
  // One in-memory database for both sides: the raw handle is the one under Kysely.
  const raw = new Database(':memory:');
  const db = new Kysely<SbxDatabase>({
    dialect: new SbxSqliteDialect({ database: new CachingSqliteDatabase(raw) }),
  });
  await migrateToLatest(db);
  return { db, raw, close: () => db.destroy() };
}

const started = performance.now();
console.log(`@sbx/store benchmark (node ${process.version}, files in ${dir})`);
try {
  await benchIngest();
  await benchSingleRecord('file db, no phases', fileDatabases, false);
  await benchSingleRecord('file db, 3 phases', fileDatabases, true);
  await benchSingleRecord(':memory:, no phases', memoryDatabase, false);
  await benchP95();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`done in ${fmt((performance.now() - started) / 1_000, 1)} s`);
