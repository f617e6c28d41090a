// `POST /v1/sandboxes/{id}/exec` of `echo hi` through the in-sandbox agent against the Docker exec path, same run:
// the HTTP round trip from a client on loopback to the host's own API, on the real engine with the offline test
// image. One sandbox with the agent, one created with `agent: false`; the calls alternate so both see the same
// machine. Targets (issue 26): agent p50 <= 5 ms, p95 <= 10 ms, and >= 10x faster than Docker exec at p50.
// BENCH_EXECS (default 200) changes the number of calls per path. Needs .ci/prereqs/docker.sh and `pnpm build`.
import { cpus, loadavg } from 'node:os';
import { quantile } from '@sbx/timing';
import { sandboxBody, startExecBenchServer } from './exec-bench-server.js';

const CALLS = Number(process.env.BENCH_EXECS ?? 200);
const WARMUP = 10;
const { call, close } = await startExecBenchServer('exec-agent');
const body = sandboxBody;

const ids: string[] = [];
try {
  const withAgent = (await call('POST', '/v1/sandboxes', body(true))).id as string;
  ids.push(withAgent);
  const without = (await call('POST', '/v1/sandboxes', body(false))).id as string;
  ids.push(without);
  const agentInfo = await call('GET', `/v1/sandboxes/${withAgent}`);
  const dockerInfo = await call('GET', `/v1/sandboxes/${without}`);
  if (agentInfo.agent !== true || dockerInfo.agent !== false) {
    throw new Error(`expected agent true/false, got ${agentInfo.agent}/${dockerInfo.agent}`);
  }
  const times: Record<'agent' | 'docker', number[]> = { agent: [], docker: [] };
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (const [path, id] of [
      ['agent', withAgent],
      ['docker', without],
    ] as const) {
      const started = performance.now();
      const result = await call('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['echo', 'hi'] });
      const ms = performance.now() - started;
      if (result.stdout !== 'hi\n') throw new Error(`${path}: unexpected output ${JSON.stringify(result)}`);
      if (i >= WARMUP) times[path].push(ms);
    }
  }
  const q = (xs: number[], p: number) => quantile(xs, p) as number;
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(28)} ${q(xs, 0.5).toFixed(2).padStart(8)} ${q(xs, 0.95).toFixed(2).padStart(8)}`;
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `POST /v1/sandboxes/{id}/exec echo hi, ${CALLS} calls per path, same run (ms); ${cpus().length} cores, load ${load}`,
  );
  console.log(`${'path'.padEnd(28)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
  console.log(row('in-sandbox agent', times.agent));
  console.log(row('Docker exec (agent: false)', times.docker));
  const ratio = q(times.docker, 0.5) / q(times.agent, 0.5);
  const checks = [
    [`agent p50 <= 5 ms`, q(times.agent, 0.5) <= 5],
    [`agent p95 <= 10 ms`, q(times.agent, 0.95) <= 10],
    [`p50 ratio >= 10x (${ratio.toFixed(1)}x)`, ratio >= 10],
  ] as const;
  for (const [what, met] of checks) console.log(`target ${what}: ${met ? 'met' : 'MISSED'}`);
} finally {
  for (const id of ids) await call('DELETE', `/v1/sandboxes/${id}`).catch(() => {});
  await close();
}
