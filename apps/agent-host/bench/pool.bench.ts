// Warm pools against cold provisioning, through the host's own HTTP API on loopback, on the real engine with the
// offline test image: a sequential run (hit latency, the cold / pool ratio, both measured in the same run), a
// burst of 20 on a pool of 4, and steady load at the pool's refill rate. Each run has a fresh host and database.
// BENCH_REPORT_DIR=dir also writes each run's HTML report there. Needs .ci/prereqs/docker.sh.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_TEST_IMAGE } from '@sbx/bootstrap/testing';
import { BENCH_CAPS } from '../src/bench/bench-command.js';
import { formatBench, formatTarget } from '../src/bench/bench-print.js';
import { renderBenchReport } from '../src/bench/bench-report.js';
import { type BenchOptions, runBench } from '../src/bench/bench-run.js';
import { summarize, type TargetCheck } from '../src/bench/bench-summary.js';
import { resolveConfig } from '../src/compose/config.js';
import { openAgentHost } from '../src/compose/open-agent-host.js';

const body = {
  type: 'docker',
  image: DOCKER_TEST_IMAGE,
  pull: 'never',
  cmd: "sh -c 'echo ready; exec sleep 3600'",
  ready: 'log:^ready$',
};
const silent = { warn: () => {}, error: () => {} };
const runs: Array<Pick<BenchOptions, 'mode' | 'count'>> = [
  { mode: 'sequential', count: Number(process.env.BENCH_RUNS ?? 30) },
  { mode: 'burst', count: 20 },
  { mode: 'steady', count: Number(process.env.BENCH_STEADY ?? 60) },
];

const targets: TargetCheck[] = [];
for (const { mode, count } of runs) {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-pool-bench-'));
  const agent = await openAgentHost(
    resolveConfig({ db: join(dir, 'bench.db'), policy: BENCH_CAPS }, {}),
    silent,
  );
  try {
    const run = await runBench(agent, {
      body,
      poolSize: 4,
      mode,
      count,
      concurrency: 4,
      signal: new AbortController().signal,
    });
    const summary = summarize(run);
    console.log(`${formatBench(run, summary)}\n`);
    targets.push(...summary.targets.map((t) => ({ ...t, name: `${mode}: ${t.name}` })));
    if (process.env.BENCH_REPORT_DIR) {
      writeFileSync(join(process.env.BENCH_REPORT_DIR, `pool-${mode}.html`), renderBenchReport(run, summary));
    }
  } finally {
    await agent.close({ timeoutMs: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`all targets (${targets.filter((t) => t.met).length} of ${targets.length} met):`);
for (const t of targets) console.log(formatTarget(t));
