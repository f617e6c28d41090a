// Load for the HTTP front's int tests: a database of many rows, a load generator in its own process, a prober.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import type { ProvisionResult } from '@sbx/timing';

/** Fills `db` with `rows` docker provisionings over `runtimes` engine runtimes (each a set of metric series). */
export async function fillDatabase(db: string, rows: number, runtimes: number): Promise<void> {
  const database = await openDatabase(db);
  const kpis = new SandboxProvisioningKPI(database);
  const start = Date.now() - rows * 10;
  for (let done = 0; done < rows; done += 5_000) {
    const batch: ProvisionResult[] = Array.from({ length: Math.min(5_000, rows - done) }, (_, k) => {
      const i = done + k;
      return {
        sandboxType: 'docker',
        durationMs: 200 + (i % 997),
        status: i % 50 === 0 ? 'sla_breach' : 'ok',
        ...(i % 50 === 0
          ? { error: { name: 'BootstrapError', message: 'readiness timed out', code: 'READINESS_TIMEOUT' } }
          : {}),
        timestamp: new Date(start + i * 10),
        attributes: { hostId: `h${i % 3}`, runtime: `rt${i % runtimes}`, tenant: 't' },
        phases: [
          { name: 'create', startMs: 0, durationMs: 50 },
          { name: 'start', startMs: 50, durationMs: 100 },
        ],
      };
    });
    await kpis.recordMany(batch);
  }
  await database.destroy();
}

const LOAD = `
const [base, mode, token] = process.argv.slice(1);
const headers = { authorization: 'Bearer ' + token };
const get = (path) => fetch(base + path, { headers }).then((r) => r.arrayBuffer().then((b) => [r.status, b.byteLength]));
const statuses = {};
const count = ([status, bytes]) => { statuses[status] = (statuses[status] ?? 0) + 1; statuses.bytes = Math.max(statuses.bytes ?? 0, bytes); };
if (mode === 'metrics') {
  (await Promise.all(Array.from({ length: 1000 }, () => get('/metrics')))).forEach(count);
} else {
  const until = Date.now() + 6000;
  await Promise.all(Array.from({ length: 20 }, async () => { while (Date.now() < until) count(await get('/v1/kpis')); }));
}
process.stdout.write(JSON.stringify(statuses));
`;

/** Starts the load (`metrics`: 1,000 scrapes at once; `kpis`: 20 pollers for 6 s) in its own process. */
export function startLoad(base: string, mode: 'metrics' | 'kpis', token: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', LOAD, base, mode, token],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  const done = new Promise<Record<string, number>>((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`)),
    ),
  );
  return { child, done };
}

/** Asks `/healthz` one request at a time until `done` settles; the latencies in milliseconds. */
export async function probeHealth(base: string, done: Promise<unknown>): Promise<number[]> {
  let over = false;
  void done.finally(() => (over = true)).catch(() => {});
  const latencies: number[] = [];
  while (!over) {
    const started = performance.now();
    const res = await fetch(`${base}/healthz`);
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  return latencies;
}

/** The nearest-rank quantile `q` of `values`. */
export function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** A process's peak resident memory (VmHWM) in bytes. */
export function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}
