// `sbx serve --pool-file` against the real Docker engine: a burst on a warm pool, each hand-out a new container,
// nothing left behind when the server stops; a bad pool file stops the server before it listens.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  containersOwnedBy,
  missingPrerequisite,
  READY_CMD,
  runCli,
  sampleValue,
  startServe,
  TEST_IMAGE,
  tempDb,
} from './harness.js';

const missing = missingPrerequisite();
const SPEC = { type: 'docker', image: TEST_IMAGE, pull: 'never', cmd: READY_CMD, ready: 'log:^ready$' };

function poolFile(pools: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sbx-pools-')), 'pools.json');
  writeFileSync(path, JSON.stringify(pools));
  return path;
}

interface PoolStats {
  size: number;
  ready: number;
  refilling: number;
  hits: number;
  misses: number;
}

/** Polls GET /v1/pools every 50 ms until `done` holds (30 s at most); resolves to the stats that did. */
async function poolUntil(
  read: () => Promise<PoolStats>,
  done: (stats: PoolStats) => boolean,
  what: string,
): Promise<PoolStats> {
  const end = Date.now() + 30_000;
  for (;;) {
    const stats = await read();
    if (done(stats)) return stats;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function containerIdOf(name: string): string {
  return execFileSync('docker', ['inspect', '--format', '{{.Id}}', name], { encoding: 'utf8' }).trim();
}

describe.skipIf(missing !== undefined && !process.env.CI)('sbx serve --pool-file on the real engine', () => {
  beforeAll(() => {
    if (missing) throw new Error(missing);
  });

  it('a burst of 20 on a pool of 4: 4 hits, 16 misses, all ready, none reused, none left after stop', async () => {
    const server = await startServe(tempDb(), [
      '--pool-file',
      poolFile([{ name: 'py', size: 4, spec: SPEC }]),
    ]);
    const pools = async () => (await (await server.api('GET', '/v1/pools')).json()).pools[0];
    try {
      expect(server.out.stdout).toContain('warm pools: py (4 docker)');
      await poolUntil(pools, (p) => p.ready === 4, 'the pool to fill');
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => server.api('POST', '/v1/sandboxes', { pool: 'py' })),
      );
      const bodies = await Promise.all(answers.map((a) => a.json()));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      expect(bodies.filter((b) => b.source === 'pool')).toHaveLength(4);
      expect(bodies.filter((b) => b.source === 'cold')).toHaveLength(16);
      // Every hand-out is a container of its own, and every one is ready to run commands.
      const containerIds = bodies.map((b) => containerIdOf(b.id));
      expect(new Set(containerIds).size).toBe(20);
      for (const { id } of bodies) {
        const exec = await server.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['echo', 'ok'] });
        expect(await exec.json()).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
      }
      const stats = await poolUntil(pools, (p) => p.ready === 4 && p.refilling === 0, 'the pool to refill');
      expect(stats).toMatchObject({ size: 4, hits: 4, misses: 16 });
      // What refilled is new: none of the 20 handed out came back.
      const handedOut = new Set(bodies.map((b) => b.id));
      const members = containersOwnedBy(server.child.pid).map((id) => id.slice(0, 12));
      expect(members).toHaveLength(24);
      for (const { id } of bodies)
        expect((await server.api('DELETE', `/v1/sandboxes/${id}`)).status).toBe(204);
      const left = containersOwnedBy(server.child.pid);
      expect(left).toHaveLength(4);
      expect(left.some((id) => containerIds.some((c) => c.startsWith(id)))).toBe(false);
      expect(handedOut.size).toBe(20);

      const kpis = (await (await server.api('GET', '/v1/kpis')).json()).types.docker;
      expect(kpis.last100.n).toBe(20);
      expect(kpis.bySource.pool.n).toBe(4);
      expect(kpis.bySource.cold.n).toBe(16);
      expect(kpis.bySource.refill.n).toBeGreaterThanOrEqual(8);
      const metrics = await (await server.api('GET', '/metrics')).text();
      const docker = { host: hostname(), sandbox_type: 'docker', status: 'ok' };
      const count = (source: string) =>
        sampleValue(metrics, 'sbx_provisioning_duration_seconds_count', { ...docker, source });
      expect(count('pool')).toBe('4');
      expect(count('cold')).toBe('16');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    // close() drained the pool: no container of that server is left.
    expect(containersOwnedBy(server.child.pid)).toEqual([]);
  });

  it('a bad pool file stops the server before it listens, in one line naming the pool and the field', async () => {
    const file = poolFile([{ name: 'py', size: 2, spec: { ...SPEC, resources: { memoryBytes: 1 } } }]);
    const { code, stdout, stderr } = await runCli([
      'serve',
      '--port',
      '0',
      '--db',
      tempDb(),
      '--pool-file',
      file,
    ]);
    expect(code).toBe(2);
    expect(stdout).not.toContain('listening');
    expect(stderr.trim().split('\n')[0]).toBe(
      `sbx: --pool-file ${file}: pool "py" (entry 0): spec.resources.memoryBytes: must be from 6291456 to 4294967296, got 1 (server policy)`,
    );
  });

  it('sbx bench docker --mode burst: hits and misses as the pool allows, nothing reused or left, a report', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'sbx-bench-')), 'bench.html');
    const { code, stdout, stderr } = await runCli([
      'bench',
      'docker',
      '--image',
      TEST_IMAGE,
      '--pull',
      'never',
      '--cmd',
      READY_CMD,
      '--ready',
      'log:^ready$',
      '--pool-size',
      '2',
      '--mode',
      'burst',
      '--count',
      '6',
      '--json',
      '--report',
      report,
    ]);
    expect(stderr).toContain(`report: ${report}`);
    expect(code).toBe(0);
    const run = JSON.parse(stdout);
    expect(run.burst).toMatchObject({ count: 6, hits: 2, misses: 4, allReady: true, reused: 0, leaked: 0 });
    expect(run.requests.filter((r: { kind: string }) => r.kind === 'cold')).toHaveLength(6);
    expect(run.summary.targets.find((t: { name: string }) => t.name === 'burst of 6: hits')).toMatchObject({
      met: true,
    });
    expect(readFileSync(report, 'utf8')).toContain('<div id="chart-timeline"');
  });
});
