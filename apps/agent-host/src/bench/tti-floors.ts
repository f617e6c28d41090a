import { spawn } from 'node:child_process';
import type Dockerode from 'dockerode';
import type { InSandboxCost, TtiSample } from './tti-types.js';

/** The label every floor container carries (its value the run's id): how the run finds what it left. */
export const FLOOR_LABEL = 'sbx.bench.floor';

/** What the floors create: the image, its runtime, and the run's id for the label. */
export interface FloorTarget {
  image: string;
  runtime: string;
  runId: string;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * The engine's own minimal path, no sbx code: dockerode create + start of the image (its own command, no
 * network), then an exec of `node -v` read to its end. Timed from the create call to the output; the container
 * is removed after (not timed). Never rejects: a failure is a sample with `ok: false`.
 */
export async function dockerodeIteration(docker: Dockerode, target: FloorTarget): Promise<TtiSample> {
  const started = now();
  let container: Dockerode.Container | undefined;
  let createMs: number | undefined;
  try {
    container = await docker.createContainer({
      Image: target.image,
      Labels: { [FLOOR_LABEL]: target.runId },
      HostConfig: { NetworkMode: 'none', Runtime: target.runtime },
    });
    await container.start();
    createMs = now() - started;
    const output = await execOutput(container, ['node', '-v']);
    const ttiMs = now() - started;
    const ok = /^v\d+\./.test(output.trim());
    return {
      atMs: started,
      ttiMs,
      createMs,
      ok,
      ...(ok ? {} : { error: `node -v answered ${JSON.stringify(output.slice(0, 80))}` }),
    };
  } catch (error) {
    return {
      atMs: started,
      ttiMs: now() - started,
      ...(createMs ? { createMs } : {}),
      ok: false,
      error: oneLine(error),
    };
  } finally {
    await container?.remove({ force: true }).catch(() => {});
  }
}

/** `docker run --rm --network none [--runtime R] --pull never IMAGE node -v`, timed until the CLI exits. */
export function dockerRunIteration(target: FloorTarget, dockerCli = 'docker'): Promise<TtiSample> {
  const started = now();
  return new Promise((resolve) => {
    const child = spawn(
      dockerCli,
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--pull',
        'never',
        '--runtime',
        target.runtime,
        '--label',
        `${FLOOR_LABEL}=${target.runId}`,
        target.image,
        'node',
        '-v',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      if (out.length < 4_096) out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 4_096) err += c.toString('utf8');
    });
    child.on('error', (error) =>
      resolve({ atMs: started, ttiMs: now() - started, ok: false, error: oneLine(error) }),
    );
    child.on('close', (code) => {
      const ttiMs = now() - started;
      const ok = code === 0 && /^v\d+\./.test(out.trim());
      resolve({
        atMs: started,
        ttiMs,
        ok,
        ...(ok ? {} : { error: `docker run exited ${code}: ${oneLine(err || out)}` }),
      });
    });
  });
}

/**
 * What `node -v` itself costs inside a container of the runtime: its wall time (shell timestamps around one
 * run; the median of `runs` after a warm-up) and its user + system CPU time (the shell's `times` for its
 * children after `runs` runs in a row, divided by them: `times` counts in 10 ms ticks).
 */
export async function inSandboxCost(
  docker: Dockerode,
  target: FloorTarget,
  runs = 10,
): Promise<InSandboxCost> {
  const container = await docker.createContainer({
    Image: target.image,
    Labels: { [FLOOR_LABEL]: target.runId },
    HostConfig: { NetworkMode: 'none', Runtime: target.runtime },
  });
  try {
    await container.start();
    const once = 's=$(date +%s%N); node -v >/dev/null; e=$(date +%s%N); echo wall $((e-s))';
    const walls: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const wall = /wall (\d+)/.exec(await execOutput(container, ['sh', '-c', once]))?.[1];
      if (wall === undefined) throw new Error(`could not time node -v in ${target.image}`);
      if (i > 0) walls.push(Number(wall) / 1e6);
    }
    const loop = `i=0; while [ $i -lt ${runs} ]; do node -v >/dev/null; i=$((i+1)); done; times`;
    const text = await execOutput(container, ['sh', '-c', loop]);
    // `times` prints the shell's user/system line, then its children's: node's.
    const children = [...text.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)][1];
    if (children === undefined) {
      throw new Error(
        `could not read node -v's CPU time in ${target.image}: ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
    const [, um = '0', us = '0', sm = '0', ss = '0'] = children;
    const cpuMs = ((Number(um) * 60 + Number(us) + Number(sm) * 60 + Number(ss)) * 1000) / runs;
    return { runtime: target.runtime, wallMs: mid(walls), cpuMs };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/** Containers of this run's floors still on the engine. */
export async function floorsLeft(docker: Dockerode, runId: string): Promise<number> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${FLOOR_LABEL}=${runId}`] } });
  return left.length;
}

// Runs `cmd` in the container and reads its output (both streams, demultiplexed) to the end, at most 64 KiB.
async function execOutput(container: Dockerode.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => {
      if (size < 65_536) chunks.push(c);
      size += c.length;
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return demux(Buffer.concat(chunks));
}

// The engine's multiplexed stream: frames of an 8-byte header (stream, 0, 0, 0, size as 4 bytes) and a payload.
function demux(buffer: Buffer): string {
  let text = '';
  let at = 0;
  while (at + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(at + 4);
    text += buffer.subarray(at + 8, Math.min(buffer.length, at + 8 + size)).toString('utf8');
    at += 8 + size;
  }
  return text;
}

function mid(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function oneLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error)
    .split('\n')[0]
    ?.slice(0, 300) as string;
}
