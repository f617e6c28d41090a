// The in-sandbox agent against Docker exec, in the same run on the same container: `echo hi` through the agent
// (DockerSandbox.exec) and through the engine's exec API (what a sandbox without the agent does), interleaved,
// p50/p95 and the ratio; then cold provisioning (busybox, `sleep 3600`, readiness `running`) with and without
// the agent, interleaved, p50/p95 and the ratio (target: with / without <= 1.10). runc, and runsc when the
// engine has it. BENCH_EXEC_RUNS (default 100), BENCH_COLD_RUNS (default 8). Needs .ci/prereqs/docker.sh and
// the built agent (pnpm build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile, SandboxProvisioner } from '@sbx/timing';
import Dockerode from 'dockerode';
import type { DockerContainerApi } from '../src/docker/docker-api.js';
import { runExec } from '../src/docker/run-exec.js';
import { DockerAdapter, type DockerSandbox } from '../src/index.js';
import { DOCKER_TEST_IMAGE } from '../src/testing.js';

const EXEC_RUNS = Number(process.env.BENCH_EXEC_RUNS ?? 100);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 8);
const COLD_TARGET = 1.1;

const docker = new Dockerode();
const silent = { warn: () => {}, error: () => {} };
const agentDir = mkdtempSync(join(tmpdir(), 'sbx-agent-bench-'));
const adapter = new DockerAdapter({ docker, owner: `bench-agent-${process.pid}`, logger: silent, agentDir });
if (!adapter.agentEnabled)
  throw new Error('sbx-agent is not built: run pnpm build in packages/bootstrap first');
const provisioner = new SandboxProvisioner({ logger: silent });
const ms = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(2)} ms`.padStart(12);
const p = (values: number[], q: number) => quantile(values, q) ?? Number.NaN;

async function provision(runtime: string, agent: boolean): Promise<{ sandbox: DockerSandbox; ms: number }> {
  const t0 = performance.now();
  const { value } = await provisioner.provision({
    type: 'docker',
    deadlineMs: 30_000,
    bootstrapFn: (ctx) =>
      adapter.provision(
        { image: DOCKER_TEST_IMAGE, pull: 'never', cmd: ['sleep', '3600'], runtime, agent },
        ctx,
      ),
  });
  return { sandbox: value, ms: performance.now() - t0 };
}

async function execBench(runtime: string): Promise<void> {
  const { sandbox } = await provision(runtime, true);
  if (!sandbox.agent) throw new Error(`the ${runtime} sandbox came up without its agent`);
  const container = docker.getContainer(sandbox.containerId) as unknown as DockerContainerApi;
  const viaAgent: number[] = [];
  const viaExec: number[] = [];
  try {
    for (let i = 0; i < 5; i += 1) {
      await sandbox.exec(['echo', 'hi']);
      await runExec(container, ['echo', 'hi']);
    }
    for (let i = 0; i < EXEC_RUNS; i += 1) {
      let t0 = performance.now();
      const a = await sandbox.exec(['echo', 'hi']);
      viaAgent.push(performance.now() - t0);
      t0 = performance.now();
      const b = await runExec(container, ['echo', 'hi']);
      viaExec.push(performance.now() - t0);
      if (a.stdout !== 'hi\n' || b.stdout !== 'hi\n') throw new Error('echo hi did not print hi');
    }
  } finally {
    await sandbox.dispose();
  }
  console.log(`\necho hi on ${runtime}, ${EXEC_RUNS} interleaved runs on one container:`);
  console.log(`${''.padEnd(28)}${'p50'.padStart(12)}${'p95'.padStart(12)}`);
  console.log(`${'through the agent'.padEnd(28)}${ms(p(viaAgent, 0.5))}${ms(p(viaAgent, 0.95))}`);
  console.log(`${'through Docker exec'.padEnd(28)}${ms(p(viaExec, 0.5))}${ms(p(viaExec, 0.95))}`);
  console.log(
    `Docker exec / agent: p50 ${(p(viaExec, 0.5) / p(viaAgent, 0.5)).toFixed(1)}x, p95 ${(p(viaExec, 0.95) / p(viaAgent, 0.95)).toFixed(1)}x`,
  );
}

async function coldBench(runtime: string): Promise<void> {
  const samples: Record<'with' | 'without', number[]> = { with: [], without: [] };
  await (await provision(runtime, true)).sandbox.dispose();
  for (let i = 0; i < COLD_RUNS; i += 1) {
    // Alternate which goes first, so neither always follows a removal.
    for (const agent of i % 2 === 0 ? [true, false] : [false, true]) {
      const { sandbox, ms: took } = await provision(runtime, agent);
      samples[agent ? 'with' : 'without'].push(took);
      if (agent && !sandbox.agent) console.warn('a sandbox came up without its agent (fallback)');
      await sandbox.dispose();
    }
  }
  const ratio = p(samples.with, 0.5) / p(samples.without, 0.5);
  console.log(`\ncold provisioning on ${runtime}, ${COLD_RUNS} interleaved pairs:`);
  console.log(`${''.padEnd(28)}${'p50'.padStart(12)}${'p95'.padStart(12)}`);
  console.log(`${'with the agent'.padEnd(28)}${ms(p(samples.with, 0.5))}${ms(p(samples.with, 0.95))}`);
  console.log(
    `${'without (agent: false)'.padEnd(28)}${ms(p(samples.without, 0.5))}${ms(p(samples.without, 0.95))}`,
  );
  console.log(
    `with / without p50: ${ratio.toFixed(2)} (target <= ${COLD_TARGET.toFixed(2)}: ${ratio <= COLD_TARGET ? 'met' : 'NOT met'})`,
  );
}

try {
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  const runtimes = ['runc', ...(Object.hasOwn(info.Runtimes ?? {}, 'runsc') ? ['runsc'] : [])];
  for (const runtime of runtimes) await execBench(runtime);
  for (const runtime of runtimes) await coldBench(runtime);
} finally {
  rmSync(agentDir, { recursive: true, force: true });
}
