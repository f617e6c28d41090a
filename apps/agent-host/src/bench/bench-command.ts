import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ProvisionCommandContext } from '../cli/command-context.js';
import { collect, wholeNumber } from '../cli/flags.js';
import { resolvePolicy } from '../core/sandbox-policy.js';
import { AgentHostError } from '../errors.js';
import { SandboxService } from '../service/sandbox-service.js';
import { formatBench } from './bench-print.js';
import { renderBenchReport } from './bench-report.js';
import { runBench } from './bench-run.js';
import { formatRuntimes, summarizeRuntimes } from './bench-runtimes.js';
import { summarize } from './bench-summary.js';
import { BENCH_MODES, type BenchMode } from './bench-types.js';
import { ttiCommand } from './tti-command.js';

/** The bench measures the pool, not the caps: room for every request of a run (at most 1,000) to be live. */
export const BENCH_CAPS = { maxLivePerTenant: 1_100, maxLiveTotal: 1_200 };

/** The `sbx bench` command: `sbx bench docker ...`. */
export function benchCommand(ctx: ProvisionCommandContext): Command {
  const bench = new Command('bench').description(
    'measure cold against warm-pool provisioning through the HTTP API, side by side in one run',
  );
  bench.addCommand(dockerBench(ctx));
  bench.addCommand(ttiCommand(ctx));
  return bench;
}

function dockerBench(ctx: ProvisionCommandContext): Command {
  return new Command('docker')
    .description(
      'cold and pooled docker sandboxes, side by side: p50/p95/p99 and throughput per source, targets',
    )
    .option('--image <image>', 'docker image (must be present locally unless --pull allows)')
    .option(
      '--template <name>',
      'a template built on this host (sbx template build NAME), instead of --image',
    )
    .option('--cmd <command>', 'container command, shell-quoted: "sh -c \'echo ready; exec sleep 3600\'"')
    .option('--ready <probe>', 'readiness: log:REGEX | exec:CMD | port:N | http:PATH | healthcheck | running')
    .addOption(new Option('--pull <policy>', 'image pull policy').choices(['never', 'missing', 'always']))
    .option('--pool-size <n>', 'ready members the pool keeps', wholeNumber('--pool-size', { max: 50 }), 4)
    .addOption(
      new Option('--mode <mode>', 'how requests are sent').choices(BENCH_MODES).default('sequential'),
    )
    .option('--count <n>', 'requests of each kind', wholeNumber('--count', { max: 1_000 }), 20)
    .option(
      '--concurrency <c>',
      'requests at once (concurrent mode)',
      wholeNumber('--concurrency', { max: 64 }),
      4,
    )
    .option(
      '--rate <per-second>',
      'pool requests per second (steady mode; default the pool refill rate)',
      rate,
    )
    .option(
      '--runtime <name>',
      "compare this engine runtime (repeatable, e.g. --runtime runsc) with the engine's default in the same run: a pool each, one table of cold p50/p95 by phase, pool hit p95 and the ratios",
      collect,
    )
    .option('--json', 'print the whole run as JSON')
    .option('--report <file.html>', 'write a self-contained HTML report (charts inlined, no network)')
    .addHelpText(
      'after',
      `\nThe host's database is a temporary file unless --db is given, so a bench leaves your KPIs alone.\nExample:\n  sbx bench docker --image sbx-test/busybox --cmd "sh -c 'echo ready; exec sleep 3600'" --ready log:^ready$ --mode burst --count 20 --report bench.html\n  sbx bench docker --image sbx-test/busybox --cmd "sh -c 'echo ready; exec sleep 3600'" --ready log:^ready$ --runtime runc --runtime runsc`,
    )
    .action(async (opts, command: Command) => {
      const body = {
        type: 'docker',
        ...(opts.image === undefined ? {} : { image: opts.image }),
        ...(opts.template === undefined ? {} : { template: opts.template }),
        ...(opts.cmd === undefined ? {} : { cmd: opts.cmd }),
        ...(opts.ready === undefined ? {} : { ready: opts.ready }),
        ...(opts.pull === undefined ? {} : { pull: opts.pull }),
      };
      const asked: string[] = opts.runtime ?? [];
      const policyFlags = { ...BENCH_CAPS, ...(asked.length > 0 ? { allowedRuntimes: asked } : {}) };
      asFlags(() => SandboxService.check(body, resolvePolicy(policyFlags, ctx.io.env)));
      const given = command.optsWithGlobals<{ db?: string }>().db;
      const scratch = given ? undefined : mkdtempSync(join(tmpdir(), 'sbx-bench-'));
      try {
        process.exitCode = await ctx.withHost(
          async (agent, signal) => {
            await agent.service.admit(body); // the engine pinged, a template checked, before anything is measured
            const runtimes = asked.length > 0 ? compared(asked, await agent.service.runtimes()) : undefined;
            const run = await runBench(agent, {
              body,
              poolSize: opts.poolSize,
              mode: opts.mode as BenchMode,
              count: opts.count,
              concurrency: opts.concurrency,
              signal,
              log: (line) => ctx.io.stderr.write(`${line}\n`),
              ...(opts.rate === undefined ? {} : { rate: opts.rate }),
              ...(runtimes ? { runtimes } : {}),
            });
            const summary = summarize(run);
            const byRuntime = summarizeRuntimes(run);
            if (opts.report) {
              writeFileSync(opts.report, renderBenchReport(run, summary, byRuntime));
              ctx.io.stderr.write(`report: ${opts.report}\n`);
            }
            ctx.io.stdout.write(
              opts.json
                ? `${JSON.stringify({ ...run, summary, ...(byRuntime ? { runtimes: byRuntime } : {}) }, null, 2)}\n`
                : `${formatBench(run, summary)}\n${byRuntime ? `\nby engine runtime (cold: KPI row total and phases; pool hit: server side):\n${formatRuntimes(byRuntime)}\n` : ''}`,
            );
            // Speed targets depend on the machine and are printed; a sandbox reused or left behind is a failure.
            const failed = run.requests.filter((r) => r.status !== 201).length;
            return failed > 0 || run.reused > 0 || run.leaked > 0 ? 1 : 0;
          },
          { ...(scratch ? { db: join(scratch, 'bench.db') } : {}), policy: policyFlags },
        );
      } finally {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    });
}

// The runtimes asked for, the engine's default first (always compared: the ratios are to it); each must be one
// the engine has.
function compared(
  asked: readonly string[],
  engine: { default: string; runtimes: ReadonlyArray<{ name: string }> } | undefined,
): { names: string[]; default: string } {
  if (!engine) throw new AgentHostError('INVALID_FLAG', '--runtime needs an engine that lists its runtimes');
  const unknown = asked.filter((name) => !engine.runtimes.some((r) => r.name === name));
  if (unknown.length > 0) {
    throw new AgentHostError(
      'INVALID_FLAG',
      `--runtime: the Docker engine has no runtime ${unknown.map((n) => JSON.stringify(n)).join(', ')}; it has ${engine.runtimes.map((r) => r.name).join(', ')}`,
    );
  }
  return { names: [...new Set([engine.default, ...asked])], default: engine.default };
}

function rate(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > 1_000) {
    throw new InvalidArgumentError(
      `--rate must be a number of requests per second from 0 to 1000, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

// A body field refused by the request schema is the flag of the same name.
function asFlags(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof AgentHostError) {
      throw new AgentHostError('INVALID_FLAG', `--${error.message} (see sbx bench docker --help)`, {
        cause: error,
      });
    }
    throw error;
  }
}
