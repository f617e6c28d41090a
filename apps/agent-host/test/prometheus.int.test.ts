import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProvisionResult, quantile, type SandboxType, SLA_LIMITS } from '@sbx/timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test-support/seeded-random.js';
import { resolveConfig } from '../src/compose/config.js';
import { type AgentHost, openAgentHost } from '../src/compose/open-agent-host.js';
import { createApp } from '../src/http/create-app.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import { sampleValue } from './harness.js';

const RULES_DIR = fileURLToPath(new URL('../../../deploy/prometheus/', import.meta.url));
const silent = { warn: () => {}, error: () => {} };

/** Why the test cannot run here (a missing binary), or undefined when it can. */
function missingBinary(): string | undefined {
  for (const bin of ['prometheus', 'promtool']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0) {
      return `${bin} missing: run \`bash .ci/prereqs/prometheus.sh\` (apt-get install -y prometheus)`;
    }
  }
  return undefined;
}
const missing = missingBinary();

/** `count` provisionings of `type` around `medianMs` (log-normal-ish), a few failed and cancelled, with phases. */
function provisions(type: SandboxType, count: number, medianMs: number, seed: number): ProvisionResult[] {
  const random = mulberry32(seed);
  const phaseNames = type === 'docker' ? ['image', 'create', 'start', 'ready'] : ['boot', 'install', 'ready'];
  return Array.from({ length: count }, (_, i) => {
    const durationMs = medianMs * Math.exp((random() + random() + random() - 1.5) * 1.4);
    const code = i % 37 === 5 ? 'START_FAILED' : i % 53 === 7 ? 'CANCELLED' : undefined;
    const share = durationMs / phaseNames.length;
    return {
      sandboxType: type,
      durationMs,
      status: code || durationMs > SLA_LIMITS[type] ? 'sla_breach' : 'ok',
      timestamp: new Date(Date.now() - (count - i) * 1_000),
      slaLimitMs: SLA_LIMITS[type],
      phases: phaseNames.map((name, k) => ({ name, startMs: k * share, durationMs: share })),
      ...(code ? { error: { name: 'BootstrapError', message: code, code } } : {}),
    };
  });
}

/** A free loopback port (closed again before Prometheus takes it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(missing !== undefined && !process.env.CI)('a real Prometheus scraping sbx', () => {
  let agent: AgentHost;
  let server: RunningServer;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'sbx-prometheus-'));
  const recorded = [...provisions('docker', 300, 250, 1), ...provisions('webcontainer', 200, 8, 2)];

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    agent = await openAgentHost(resolveConfig({ db: join(dir, 'sbx.db') }, {}), silent);
    await agent.kpis.recordMany(recorded);
    server = await startServer(createApp(agent), { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    if (prometheus?.pid !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      process.kill(prometheus.pid, 'SIGTERM');
      const timer = setTimeout(() => prometheus?.pid && process.kill(prometheus.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await server?.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('promtool accepts the rules file and its unit tests pass', () => {
    const check = spawnSync('promtool', ['check', 'rules', join(RULES_DIR, 'sbx-rules.yml')], {
      encoding: 'utf8',
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const test = spawnSync('promtool', ['test', 'rules', 'sbx-rules.test.yml'], {
      cwd: RULES_DIR,
      encoding: 'utf8',
    });
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });

  it('promtool check metrics finds nothing wrong in a live scrape', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // Every series carries the host that measured it (a fleet's hosts are scraped one by one).
    expect(sampleValue(text, 'sbx_sla_met', { host: hostname(), sandbox_type: 'docker' })).toMatch(/^[01]$/);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout + check.stderr).toBe('');
  });

  it("computes histogram_quantile(0.95) within 10% of sbx's exact P95, and reads the verdict's P95 as is", async () => {
    const [promPort] = [await freePort()];
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: sbx',
        `    static_configs: [{ targets: ['${new URL(server.url).host}'] }]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prometheus.stderr?.on('data', (d) => (stderr += d));
    promUrl = `http://127.0.0.1:${promPort}`;
    const query = async (promql: string) => {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result;
    };
    const ready = recorded.filter((r) => !r.error);
    await until(`Prometheus to scrape every provisioning (${stderr})`, 30_000, async () => {
      const [row] = await query('sum(sbx_provisioning_duration_seconds_count)');
      return Number(row?.value[1]) === ready.length ? true : undefined;
    });

    const lines: string[] = [];
    for (const type of ['docker', 'webcontainer'] as const) {
      const durations = ready.filter((r) => r.sandboxType === type).map((r) => r.durationMs);
      // sbx's exact figure over the same provisionings: the stored ready rows of the type.
      const stored = (await agent.kpis.listRecent({ type, limit: 1_000 })).filter((r) => !r.error);
      expect(stored).toHaveLength(durations.length);
      const exactS =
        (quantile(
          stored.map((r) => r.durationMs),
          0.95,
        ) as number) / 1000;
      const [row] = await query(
        `histogram_quantile(0.95, sum by (le) (sbx_provisioning_duration_seconds_bucket{sandbox_type="${type}"}))`,
      );
      const promS = Number(row?.value[1]);
      const error = promS / exactS - 1;
      lines.push(
        `${type}: n ${stored.length}, exact P95 ${(exactS * 1000).toFixed(2)} ms, Prometheus ${(promS * 1000).toFixed(2)} ms (${(error * 100).toFixed(2)}%)`,
      );
      expect(Math.abs(error), `${type}: Prometheus ${promS} s vs exact ${exactS} s`).toBeLessThanOrEqual(0.1);

      // The verdict's P95 gauge is the store's figure itself.
      const verdict = await agent.kpis.getSlaVerdict(type);
      const [gauge] = await query(`sbx_provisioning_p95_last100_seconds{sandbox_type="${type}"}`);
      expect(Number(gauge?.value[1])).toBeCloseTo((verdict.p95Ms as number) / 1000, 9);
      const [met] = await query(`sbx_sla_met{sandbox_type="${type}"}`);
      expect(met?.value[1]).toBe(verdict.status === 'met' ? '1' : '0');
    }
    console.log(`[prometheus vs exact]\n  ${lines.join('\n  ')}`);
    const [cancelled] = await query('sum(sbx_provisioning_cancelled_total)');
    expect(Number(cancelled?.value[1])).toBe(recorded.filter((r) => r.error?.code === 'CANCELLED').length);
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool/);
  });
});
