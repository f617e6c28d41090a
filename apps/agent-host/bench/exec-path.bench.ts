// Where the milliseconds of `echo hi` go, layer by layer, in one run on one sandbox: (a) the agent's raw socket
// (one connection, the `run` frame, read to `end`), (b) `SandboxAgent.run` (the host's client), (c) `POST
// /v1/sandboxes/{id}/exec` on a real server over loopback, and (d) the same route on a sandbox created with
// `agent: false` (Docker exec). The calls interleave so every path sees the same machine; p50/p95 per path and
// the ratio to Docker exec. Targets (issue 27 via the fastexec task): HTTP p50 <= 5 ms, p95 <= 10 ms.
// BENCH_EXECS (default 200) changes the number of calls per path. Needs .ci/prereqs/docker.sh and `pnpm build`.
// BENCH_PATHS=raw,http runs only some paths. Profile with `node --cpu-prof --import tsx bench/exec-path.bench.ts`.
import { readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxAgent, UnixSocketTransport } from '@sbx/bootstrap';
import { quantile } from '@sbx/timing';
import { sandboxBody, startExecBenchServer } from './exec-bench-server.js';

const CALLS = Number(process.env.BENCH_EXECS ?? 200);
const WARMUP = 10;
const { dir, host, server, headers, call, close } = await startExecBenchServer('exec-path');
const body = sandboxBody;

// The protocol by hand: one `open` frame, then frames until `end` (kind 10); the stdout bytes it carried.
function rawRun(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const open = Buffer.from(JSON.stringify({ v: 1, op: 'run', cmd: ['echo', 'hi'] }));
    const head = Buffer.alloc(5);
    head.writeUInt8(1, 0);
    head.writeUInt32BE(open.length, 1);
    socket.write(Buffer.concat([head, open]));
    let buffered = Buffer.alloc(0);
    let stdout = '';
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 5 && buffered.length >= 5 + buffered.readUInt32BE(1)) {
        const kind = buffered[0];
        const payload = buffered.subarray(5, 5 + buffered.readUInt32BE(1));
        buffered = buffered.subarray(5 + payload.length);
        if (kind === 3) stdout += payload.toString();
        if (kind === 11) reject(new Error(payload.toString()));
        if (kind === 10) {
          socket.destroy();
          resolve(stdout);
        }
      }
    });
    socket.on('error', reject);
  });
}

const ids: string[] = [];
try {
  const withAgent = (await call('POST', '/v1/sandboxes', body(true))).id as string;
  ids.push(withAgent);
  const without = (await call('POST', '/v1/sandboxes', body(false))).id as string;
  ids.push(without);
  const sockets = readdirSync(join(dir, 'agents'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('agent.sock'))
    .map((name) => join(dir, 'agents', name));
  if (sockets.length !== 1) throw new Error(`expected one agent socket, found ${sockets.length}`);
  const socketPath = sockets[0] as string;
  const agent = new SandboxAgent({ transport: new UnixSocketTransport(socketPath) });
  // The host's own agent client, timed inside the HTTP exec: what the route adds is the rest.
  const hosted = host.host.get(withAgent)?.agent as SandboxAgent | undefined;
  if (!hosted) throw new Error('the sandbox came up without its agent');
  const insideHttp: number[] = [];
  const insideJob: number[] = [];
  const runJob = host.host.runJob.bind(host.host);
  host.host.runJob = async (...args: Parameters<typeof runJob>) => {
    const started = performance.now();
    try {
      return await runJob(...args);
    } finally {
      if (args[0].id === withAgent) insideJob.push(performance.now() - started);
    }
  };
  const hostedRun = hosted.run.bind(hosted);
  hosted.run = async (...args: Parameters<SandboxAgent['run']>) => {
    const started = performance.now();
    try {
      return await hostedRun(...args);
    } finally {
      insideHttp.push(performance.now() - started);
    }
  };
  const paths = {
    'raw agent socket': async () => rawRun(socketPath),
    'SandboxAgent.run': async () => (await agent.run(['echo', 'hi'])).stdout,
    // The route floor: auth, routing and JSON over loopback without running anything.
    'HTTP GET sandbox': async () => {
      await call('GET', `/v1/sandboxes/${withAgent}`);
      return 'hi\n';
    },
    // The exec route's own floor: a POST whose body the route reads and refuses (400) before any agent call.
    'HTTP POST exec 400': async () => {
      const response = await fetch(`${server.url}/v1/sandboxes/${withAgent}/exec`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ cmd: [] }),
      });
      await response.text();
      if (response.status !== 400) throw new Error(`expected 400, got ${response.status}`);
      return 'hi\n';
    },
    'HTTP exec (agent)': async () =>
      (await call('POST', `/v1/sandboxes/${withAgent}/exec`, { cmd: ['echo', 'hi'] })).stdout,
    'HTTP exec (Docker exec)': async () =>
      (await call('POST', `/v1/sandboxes/${without}/exec`, { cmd: ['echo', 'hi'] })).stdout,
  } as const;
  type Path = keyof typeof paths;
  // BENCH_PATHS=raw,http runs only the paths whose names contain one of the words (e.g. for --cpu-prof).
  const only = process.env.BENCH_PATHS?.split(',').map((w) => w.trim().toLowerCase());
  const chosen = (Object.keys(paths) as Path[]).filter(
    (name) => !only || only.some((w) => name.toLowerCase().includes(w)),
  );
  const times = Object.fromEntries(Object.keys(paths).map((k) => [k, [] as number[]])) as Record<
    Path,
    number[]
  >;
  // This process's CPU (client and server; the agent runs in the sandbox) per call: load on a shared host moves
  // the wall times a lot, the CPU a call costs the host much less.
  const cpu = Object.fromEntries(chosen.map((k) => [k, 0])) as Record<Path, number>;
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (const name of chosen) {
      const used = process.cpuUsage();
      const started = performance.now();
      const stdout = await paths[name]();
      const ms = performance.now() - started;
      const spent = process.cpuUsage(used);
      if (stdout !== 'hi\n') throw new Error(`${name}: unexpected output ${JSON.stringify(stdout)}`);
      if (i >= WARMUP) times[name].push(ms);
      if (i >= WARMUP) cpu[name] += (spent.user + spent.system) / 1000;
      // The engine tidies up after an exec for a while: the next path should not pay for it.
      if (name === 'HTTP exec (Docker exec)') await sleep(25);
    }
  }
  const q = (xs: number[], p: number) => quantile(xs, p) as number;
  const docker = q(times['HTTP exec (Docker exec)'], 0.5) ?? Number.NaN;
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  console.log(`echo hi, ${CALLS} interleaved calls per path (ms); ${cpus().length} cores, load ${load}`);
  console.log(
    `${'path'.padEnd(26)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'Docker/p50'.padStart(11)} ${'host CPU/call'.padStart(14)}`,
  );
  for (const name of chosen) {
    const xs = times[name];
    const ratio = `${(docker / q(xs, 0.5)).toFixed(1)}x`;
    console.log(
      `${name.padEnd(26)} ${q(xs, 0.5).toFixed(2).padStart(8)} ${q(xs, 0.95).toFixed(2).padStart(8)} ${ratio.padStart(11)} ${(cpu[name] / xs.length).toFixed(2).padStart(14)}`,
    );
  }
  const http = times['HTTP exec (agent)'];
  if (http.length > 0) {
    for (const [name, xs] of [
      ['  of which host.runJob', insideJob.slice(-http.length)],
      ['  of which agent.run', insideHttp.slice(-http.length)],
    ] as const) {
      console.log(
        `${name.padEnd(26)} ${q(xs, 0.5).toFixed(2).padStart(8)} ${q(xs, 0.95).toFixed(2).padStart(8)}`,
      );
    }
    console.log(`target HTTP agent p50 <= 5 ms: ${q(http, 0.5) <= 5 ? 'met' : 'MISSED'}`);
    console.log(`target HTTP agent p95 <= 10 ms: ${q(http, 0.95) <= 10 ? 'met' : 'MISSED'}`);
  }
} finally {
  for (const id of ids) await call('DELETE', `/v1/sandboxes/${id}`).catch(() => {});
  await close();
}
