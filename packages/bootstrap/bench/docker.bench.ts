// Provision-to-ready of the busybox test image: DockerAdapter (create, start, log-line readiness) against
// `docker run --rm <image> <cmd>` through the CLI (time until the ready line is on its stdout), interleaved in
// the same run. Also compares ways of waiting for the log line, on the same container config (the adapter
// follows the log after start). With BENCH_BASELINE=<another checkout's packages/bootstrap/src/index.ts> the
// DockerAdapter of that checkout runs interleaved too, so a change is measured against its parent in one run.
// Needs the engine and image from .ci/prereqs/docker.sh.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { quantile, SandboxProvisioner } from '@sbx/timing';
import Dockerode from 'dockerode';
import { DockerAdapter } from '../src/index.js';
import { DOCKER_TEST_IMAGE } from '../src/testing.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CMD = ['sh', '-c', 'echo ready; sleep 3600'];
const TARGET_RATIO = 0.8;

const docker = new Dockerode();
const owner = `bench-${process.pid}`;
const silent = { warn: () => {}, error: () => {} };
const adapter = new DockerAdapter({ docker, owner, logger: silent });
const BASELINE = process.env.BENCH_BASELINE;
const baseline: DockerAdapter | undefined = BASELINE
  ? new (
      (await import(pathToFileURL(resolve(BASELINE)).href)) as { DockerAdapter: typeof DockerAdapter }
    ).DockerAdapter({ docker, owner, logger: silent })
  : undefined;
const provisioner = new SandboxProvisioner({ logger: silent });
const phaseSamples = new Map<string, number[]>();

/** A DockerAdapter through the real provisioner; the container is disposed after the clock stops. */
async function ours(which = adapter): Promise<number> {
  const t0 = performance.now();
  const result = await provisioner.provision({
    type: 'docker',
    deadlineMs: 30_000,
    bootstrapFn: (ctx) =>
      which.provision(
        { image: DOCKER_TEST_IMAGE, pull: 'never', cmd: CMD, ready: { kind: 'log', pattern: '^ready$' } },
        ctx,
      ),
  });
  const elapsed = performance.now() - t0;
  for (const phase of which === adapter ? result.phases : []) {
    phaseSamples.set(phase.name, [...(phaseSamples.get(phase.name) ?? []), phase.durationMs]);
  }
  await result.value.dispose();
  return elapsed;
}

/** `docker run --rm` through the CLI: spawn to the ready line on its stdout; then the container is removed. */
async function cli(extraArgs: string[] = []): Promise<number> {
  const name = `sbx-bench-cli-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const t0 = performance.now();
  const child = spawn('docker', ['run', '--rm', '--name', name, ...extraArgs, DOCKER_TEST_IMAGE, ...CMD], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', resolve);
    child.once('error', reject);
  });
  const elapsed = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^ready$/m.test(out)) resolve(performance.now() - t0);
    });
    exited.then((code) => reject(new Error(`docker run exited with ${code} before printing ready`)), reject);
  });
  await new Promise((resolve) =>
    spawn('docker', ['rm', '-f', name], { stdio: 'ignore' }).once('exit', resolve),
  );
  await exited;
  return elapsed;
}

/**
 * Raw dockerode on the adapter's container config, waiting for the line one of three ways; and once without
 * `NetworkDisabled` (NetworkMode none through the engine's network sandbox) to show what that flag saves.
 */
async function strategy(how: 'attach' | 'follow' | 'poll', networkDisabled = true): Promise<number> {
  const t0 = performance.now();
  const container = await docker.createContainer({
    Image: DOCKER_TEST_IMAGE,
    Cmd: CMD,
    NetworkDisabled: networkDisabled,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 512 * 1024 * 1024,
      NanoCpus: 1e9,
      PidsLimit: 256,
    },
    Labels: { 'sbx.managed-by': 'sbx', 'sbx.owner': owner, 'sbx.expires-at': String(Date.now() + 600_000) },
  });
  let stream: NodeJS.ReadableStream | undefined;
  if (how === 'attach')
    stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
  await container.start();
  if (how === 'follow') stream = await container.logs({ follow: true, stdout: true, stderr: true });
  if (stream) {
    await new Promise<void>((resolve) => {
      let seen = '';
      stream.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        if (seen.includes('ready\n')) resolve();
      });
    });
    (stream as unknown as { destroy(): void }).destroy();
  } else {
    while (!(await container.logs({ stdout: true, stderr: true })).toString('latin1').includes('ready\n')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const elapsed = performance.now() - t0;
  await container.remove({ force: true });
  return elapsed;
}

const BASELINE_NAME = 'BENCH_BASELINE DockerAdapter (log probe)';
const variants: Array<[string, () => Promise<number>]> = [
  ['sbx DockerAdapter (log probe)', () => ours()],
  ...(baseline ? [[BASELINE_NAME, () => ours(baseline)] as [string, () => Promise<number>]] : []),
  ['docker run --rm (CLI)', () => cli()],
  ['docker run --rm --network none (CLI)', () => cli(['--network', 'none'])],
  ['  raw: attach before start', () => strategy('attach')],
  ['  raw: logs follow after start', () => strategy('follow')],
  ['  raw: poll logs every 20 ms', () => strategy('poll')],
  ['  raw: attach, without NetworkDisabled', () => strategy('attach', false)],
];

async function main(): Promise<void> {
  await adapter.ping();
  await docker
    .getImage(DOCKER_TEST_IMAGE)
    .inspect()
    .catch(() => {
      throw new Error(`image ${DOCKER_TEST_IMAGE} missing - run .ci/prereqs/docker.sh`);
    });
  const version = await docker.version();
  for (let i = 0; i < WARMUP; i += 1) for (const [, run] of variants) await run();
  phaseSamples.clear();
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  // Interleaved, so drift in the engine or the machine hits every variant alike.
  for (let i = 0; i < RUNS; i += 1) for (const [name, run] of variants) samples.get(name)?.push(await run());

  const p = (name: string, q: number) => quantile(samples.get(name) ?? [], q) ?? Number.NaN;
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
  console.log(
    `provision-to-ready of ${DOCKER_TEST_IMAGE} ${JSON.stringify(CMD)}: ${RUNS} runs after ${WARMUP} warm-up, ` +
      `engine ${version.Version} (API ${version.ApiVersion})`,
  );
  console.log(`${''.padEnd(40)}${'p50'.padStart(10)}${'p95'.padStart(10)}`);
  for (const [name] of variants) console.log(`${name.padEnd(40)}${ms(p(name, 0.5))}${ms(p(name, 0.95))}`);
  const ratio = p('sbx DockerAdapter (log probe)', 0.5) / p('docker run --rm (CLI)', 0.5);
  const likeForLike =
    p('sbx DockerAdapter (log probe)', 0.5) / p('docker run --rm --network none (CLI)', 0.5);
  console.log(
    `ratio p50 ours / docker run: ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'})`,
  );
  console.log(`ratio p50 ours / docker run --network none: ${likeForLike.toFixed(2)}`);
  if (baseline) {
    const change = p('sbx DockerAdapter (log probe)', 0.5) / p(BASELINE_NAME, 0.5) - 1;
    console.log(`p50 this checkout vs ${BASELINE}: ${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`);
  }
  const split = [...phaseSamples].map(
    ([phase, values]) => `${phase} ${(quantile(values, 0.5) ?? 0).toFixed(1)}`,
  );
  console.log(`DockerAdapter phases p50 (ms): ${split.join(', ')}`);
}

try {
  await main();
} finally {
  // Anything a failed run left behind.
  for (const row of await docker.listContainers({ all: true, filters: { label: [`sbx.owner=${owner}`] } })) {
    await docker.getContainer(row.Id).remove({ force: true });
  }
}
