import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startPgCluster } from '../../../test-support/pg-cluster.js';
import {
  CLI,
  containersOwnedBy,
  missingPrerequisite,
  READY_CMD,
  startServe,
  TEST_IMAGE,
  until,
} from './harness.js';

// Nothing lost when the database blinks (issue #29): a real `sbx serve` on a private PostgreSQL cluster this file
// stops and starts (never the shared one), and on a SQLite file another process locks. Each outage is a few seconds.

const missing = missingPrerequisite();
if (missing && process.env.CI === 'true') throw new Error(missing);

type Server = Awaited<ReturnType<typeof startServe>>;
const SANDBOX = { type: 'docker', image: TEST_IMAGE, cmd: READY_CMD, ready: 'log:ready' };
const figures: string[] = [];
afterAll(() => {
  if (figures.length) console.log(`spool figures:\n  ${figures.join('\n  ')}`);
});

async function health(server: Server) {
  const started = performance.now();
  const body = await (await fetch(`${server.base}/healthz`)).json();
  return { ms: performance.now() - started, body };
}

async function provision(server: Server): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await server.api('POST', '/v1/sandboxes', SANDBOX);
  const body = await res.json();
  if (res.status === 201) await server.api('DELETE', `/v1/sandboxes/${body.id}`);
  return { status: res.status, body };
}

async function waitStoreOk(server: Server, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if ((await health(server)).body.store.status === 'ok') return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error('the spool was not flushed in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function kpiRows(url: string, hostId: string): Promise<{ n: number; distinct: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select count(*)::int as n, count(distinct id)::int as distinct from sandbox_provisioning_kpis where host_id = $1',
      [hostId],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

function stopServer(server: Server): Promise<unknown> {
  server.child.kill('SIGTERM');
  return server.exited;
}

describe.skipIf(missing !== undefined)('results survive a database outage (spool)', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster('spool-pg-');
  });
  afterAll(() => {
    cluster?.destroy();
  });

  it('PostgreSQL stopped and started during a batch: every provisioning has its row, none twice', async () => {
    const state = mkdtempSync(join(tmpdir(), 'spool-state-'));
    const server = await startServe(
      cluster.url,
      ['--host-id', 'batch', '--token-file', join(state, 'token')],
      { SBX_STATE_DIR: state },
    );
    try {
      const answers: number[] = [];
      answers.push((await provision(server)).status);
      cluster.stop();
      for (let i = 0; i < 3; i++) answers.push((await provision(server)).status);
      const during = (await health(server)).body;
      expect(during.status).toBe('degraded');
      expect(during.store).toMatchObject({ status: 'degraded', spooled: 3 });
      cluster.start();
      const flushMs = await waitStoreOk(server, 15_000);
      answers.push((await provision(server)).status);
      expect(answers).toEqual(Array(5).fill(201));
      // The pool's first query after the restart may fail on a connection cut by the stop: that result is spooled
      // (not lost) and flushed a moment later.
      await waitStoreOk(server, 15_000);
      const rows = await kpiRows(cluster.url, 'batch');
      expect(rows).toEqual({ n: 5, distinct: 5 });
      figures.push(
        `PostgreSQL outage: 5 provisionings answered 201, rows expected 5, found ${rows.n} (distinct ${rows.distinct}); 3 spooled, flushed ${Math.round(flushMs)} ms after PostgreSQL was back`,
      );
    } finally {
      await stopServer(server);
    }
  });

  it('a host killed (SIGKILL) while PostgreSQL is down stores its spool at the next start', async () => {
    const state = mkdtempSync(join(tmpdir(), 'spool-state-'));
    const first = await startServe(
      cluster.url,
      ['--host-id', 'killed', '--token-file', join(state, 'token')],
      { SBX_STATE_DIR: state },
    );
    let pid: number | undefined;
    try {
      expect((await provision(first)).status).toBe(201);
      cluster.stop();
      for (let i = 0; i < 2; i++) expect((await provision(first)).status).toBe(201);
      expect((await health(first)).body.store.spooled).toBe(2);
      pid = first.child.pid;
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      for (const id of containersOwnedBy(pid)) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    }
    cluster.start();
    const second = await startServe(
      cluster.url,
      ['--host-id', 'killed', '--token-file', join(state, 'token')],
      { SBX_STATE_DIR: state },
    );
    try {
      const flushMs = await waitStoreOk(second, 15_000);
      const rows = await kpiRows(cluster.url, 'killed');
      expect(rows).toEqual({ n: 3, distinct: 3 });
      figures.push(
        `SIGKILL during the outage: rows expected 3, found ${rows.n} (distinct ${rows.distinct}); the restarted host flushed its spool in ${Math.round(flushMs)} ms`,
      );
    } finally {
      await stopServer(second);
    }
  });

  it('a full spool refuses new provisionings with a 503 that says why; they resume once it is flushed', async () => {
    const state = mkdtempSync(join(tmpdir(), 'spool-state-'));
    const server = await startServe(
      cluster.url,
      ['--host-id', 'full', '--token-file', join(state, 'token')],
      {
        SBX_STATE_DIR: state,
        SBX_SPOOL_MAX_BYTES: '1500',
      },
    );
    try {
      cluster.stop();
      let refused: { status: number; body: Record<string, unknown> } | undefined;
      let accepted = 0;
      for (let i = 0; i < 10 && !refused; i++) {
        const answer = await provision(server);
        if (answer.status === 201) accepted++;
        else refused = answer;
      }
      expect(accepted).toBeGreaterThan(0);
      expect(refused?.status).toBe(503);
      expect(refused?.body).toMatchObject({
        error: {
          code: 'STORE_UNAVAILABLE',
          message: expect.stringMatching(
            /^new provisionings are refused: the database is unreachable and the host's spool is full \(1500 bytes\)/,
          ),
        },
      });
      const down = (await health(server)).body;
      // Every provisioning answered 201 has its result spooled: "full" comes before the last one would not fit.
      expect(down).toMatchObject({ status: 'down', store: { status: 'down', spooled: accepted } });
      cluster.start();
      await waitStoreOk(server, 15_000);
      expect((await provision(server)).status).toBe(201);
      expect(await kpiRows(cluster.url, 'full')).toEqual({ n: accepted + 1, distinct: accepted + 1 });
    } finally {
      await stopServer(server);
    }
  });
});

const STORE_DIR = fileURLToPath(new URL('../../../packages/store/', import.meta.url));

/** Polls /healthz every 20 ms for `ms` while `work` runs; latency quantiles of the calls. */
async function pollHealth(server: Server, ms: number, work: () => Promise<void>) {
  const started = performance.now();
  const latencies: number[] = [];
  let maxSpooled = 0;
  const polling = (async () => {
    while (performance.now() - started < ms) {
      const { ms: took, body } = await health(server);
      latencies.push(took);
      maxSpooled = Math.max(maxSpooled, body.store.spooled);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await work();
  await polling;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? 0;
  return { n: latencies.length, p50: q(0.5), p95: q(0.95), max: q(1), maxSpooled };
}

describe.skipIf(missing !== undefined)('a SQLite file locked by another process', () => {
  it('keeps /healthz fast during a 10 s BEGIN EXCLUSIVE and stores every row after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-sqlite-'));
    const db = join(dir, 'sbx.db');
    const server = await startServe(db, [], { SBX_STATE_DIR: dir });
    try {
      expect((await provision(server)).status).toBe(201);
      // The same load without the lock first: the machine's own /healthz latency (it pings the engine).
      const baseline = await pollHealth(server, 2_000, async () => {
        expect((await provision(server)).status).toBe(201);
      });
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = require('better-sqlite3')(${JSON.stringify(db)}); db.exec('BEGIN EXCLUSIVE');
           console.log('locked'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 10000);`,
        ],
        { cwd: STORE_DIR, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      holder.stdout.on('data', (d) => (out += d));
      const released = new Promise((resolve) => holder.on('close', resolve));
      await until(() => out.includes('locked'), 10_000, 'the lock');
      const locked = await pollHealth(server, 9_500, async () => {
        for (let i = 0; i < 3; i++) expect((await provision(server)).status).toBe(201);
      });
      const spooled = locked.maxSpooled;
      await released;
      const flushMs = await waitStoreOk(server, 15_000);
      const report = JSON.parse(
        execFileSync(process.execPath, [CLI, 'report', '--db', db, '--json'], { encoding: 'utf8' }),
      );
      const n = report.kpis.types.docker.allTime.n;
      figures.push(
        `SQLite BEGIN EXCLUSIVE 10 s: /healthz p50 ${locked.p50.toFixed(1)} ms, p95 ${locked.p95.toFixed(1)} ms, max ${locked.max.toFixed(1)} ms over ${locked.n} calls (same load unlocked: p50 ${baseline.p50.toFixed(1)}, p95 ${baseline.p95.toFixed(1)} ms); ${spooled} spooled, flushed ${Math.round(flushMs)} ms after release; rows expected 5, found ${n}`,
      );
      expect(spooled).toBeGreaterThan(0);
      // 50 ms, or twice what the same load costs unlocked on a busy machine: before the fix a call waited for
      // SQLite's busy timeout (seconds).
      expect(locked.p95).toBeLessThanOrEqual(Math.max(50, 2 * baseline.p95));
      expect(locked.max).toBeLessThan(1_000);
      expect(n).toBe(5);
    } finally {
      await stopServer(server);
    }
  });
});
