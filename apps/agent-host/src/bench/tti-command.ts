import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { ProvisionCommandContext } from '../cli/command-context.js';
import { collect, wholeNumber } from '../cli/flags.js';
import { kernelPidMax } from '../core/sandbox-policy.js';
import { AgentHostError } from '../errors.js';
import { GVISOR_MIN_PIDS, isGvisor } from '../kinds/docker/docker-isolation.js';
import { dockerClient } from '../kinds/docker/index.js';
import { runTti } from './tti-bench.js';
import { formatTti } from './tti-print.js';
import { renderTtiReport } from './tti-report.js';
import { summarizeTti } from './tti-summary.js';
import { TTI_MODES, type TtiMode } from './tti-types.js';

/** The most iterations of one series: the caps below keep twice that many sandboxes within the pids budget. */
export const TTI_MAX_COUNT = 200;
/**
 * The pids limit each bench sandbox asks for (less than the policy's 256, so a burst fits the pids budget);
 * a gVisor sandbox asks for the 256 gVisor needs.
 */
export const TTI_PIDS = 32;

/**
 * The caps a run raises, as a user would with `sbx serve --max-live-per-tenant N --max-live-total N
 * --max-execs-per-tenant N --max-pids-total N`: room for `count` sandboxes handed out, a pool of `count`
 * refilling, `count` commands at once, and the pids limits of all of them (`pids` each) when that is more than
 * the default budget (half the kernel's `pid_max`).
 */
export function ttiCaps(count: number, pids: number): Record<string, number> {
  const live = 3 * count + 10;
  return {
    maxLivePerTenant: 2 * count + 10,
    maxLiveTotal: live,
    maxExecsPerTenant: count + 10,
    maxPidsTotal: Math.max(Math.floor(kernelPidMax() / 2), live * pids),
  };
}

/** `sbx bench tti`: time to interactive, the public leaderboard's measure, with the engine's floors beside it. */
export function ttiCommand(ctx: ProvisionCommandContext): Command {
  return new Command('tti')
    .description(
      "time to interactive as the public leaderboard measures it (create, then `node -v`, through @sbx/client): sequential, staggered and burst; cold and pooled; beside the engine's own floors",
    )
    .addOption(
      new Option(
        '--template <name>',
        'a template built on this host (default node unless --image)',
      ).conflicts('image'),
    )
    .option(
      '--image <image>',
      'a local image with node on its PATH whose own command keeps it running, instead of --template',
    )
    .addOption(
      new Option('--mode <mode>', 'how iterations are launched')
        .choices([...TTI_MODES, 'all'])
        .default('all'),
    )
    .option(
      '--count <n>',
      'iterations per series (and the burst size)',
      wholeNumber('--count', { max: TTI_MAX_COUNT }),
      100,
    )
    .option(
      '--interval <ms>',
      'staggered mode: ms between launches',
      wholeNumber('--interval', { min: 1, max: 60_000 }),
      200,
    )
    .option(
      '--runtime <name>',
      "engine runtime to measure (repeatable, e.g. --runtime runc --runtime runsc); default the engine's",
      collect,
    )
    .option('--json', 'print the whole run as JSON')
    .option('--report <file.html>', 'write a self-contained HTML report (distributions per mode and source)')
    .addHelpText(
      'after',
      '\nEach sbx series runs on a host of its own (a temporary database unless --db) with its caps raised for the run.\nExample:\n  sbx bench tti --count 100 --runtime runc --runtime runsc --report tti.html',
    )
    .action(async (opts) => {
      const count: number = opts.count;
      const modes: TtiMode[] = opts.mode === 'all' ? [...TTI_MODES] : [opts.mode as TtiMode];
      const body = {
        type: 'docker',
        ...(opts.image === undefined
          ? { template: opts.template ?? 'node' }
          : { image: opts.image, pull: 'never' }),
        deadlineMs: 120_000,
      };
      const docker = dockerClient(ctx.io.env.DOCKER_HOST);
      const engine = await docker.info().catch((error: Error) => {
        throw new AgentHostError(
          'INVALID_CONFIG',
          `Docker engine not reachable (${error.message}): start Docker or set DOCKER_HOST`,
          { cause: error },
        );
      });
      const known = Object.keys((engine as { Runtimes?: Record<string, unknown> }).Runtimes ?? {});
      const runtimes: string[] = [
        ...new Set<string>(
          opts.runtime ?? [(engine as { DefaultRuntime?: string }).DefaultRuntime ?? 'runc'],
        ),
      ];
      const unknown = runtimes.filter((r) => !known.includes(r));
      if (unknown.length > 0) {
        throw new AgentHostError(
          'INVALID_FLAG',
          `--runtime: the Docker engine has no runtime ${unknown.map((n) => JSON.stringify(n)).join(', ')}; it has ${known.join(', ')}`,
        );
      }
      const paths = (engine as { Runtimes?: Record<string, { path?: string }> }).Runtimes ?? {};
      const pidsOf = (name: string) =>
        isGvisor({ name, ...(paths[name]?.path ? { path: paths[name]?.path } : {}) })
          ? GVISOR_MIN_PIDS
          : TTI_PIDS;
      const bodyFor = (runtime: string) => ({ ...body, runtime, resources: { pids: pidsOf(runtime) } });
      const caps = ttiCaps(count, Math.max(...runtimes.map(pidsOf)));
      const policy = { ...caps, allowedRuntimes: runtimes };
      const scratch = mkdtempSync(join(tmpdir(), 'sbx-bench-tti-'));
      const flags = { db: join(scratch, 'bench.db'), policy };
      try {
        // Every runtime's body is checked (and a template pinned to its image) before anything is measured.
        const image = await ctx.withHost(async (agent) => {
          let image = '';
          for (const runtime of runtimes) {
            const def = await agent.service.admit(bodyFor(runtime));
            image = (def.spec as { image: string }).image;
          }
          return image;
        }, flags);
        // Ctrl-C between sbx series (a floor running): stop launching, let what runs remove its container.
        const interrupted = new AbortController();
        const interrupt = () => interrupted.abort();
        process.on('SIGINT', interrupt);
        process.on('SIGTERM', interrupt);
        const run = await runTti({
          bodyFor,
          image,
          target: opts.image === undefined ? `template ${opts.template ?? 'node'} (${image})` : image,
          modes,
          count,
          intervalMs: opts.interval,
          runtimes,
          caps,
          docker,
          withHost: (fn) => ctx.withHost(fn, flags),
          signal: interrupted.signal,
          log: (line) => ctx.io.stderr.write(`${line}\n`),
        }).finally(() => {
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
        });
        const summary = summarizeTti(run);
        if (opts.report) {
          writeFileSync(opts.report, renderTtiReport(run, summary));
          ctx.io.stderr.write(`report: ${opts.report}\n`);
        }
        ctx.io.stdout.write(
          opts.json ? `${JSON.stringify({ ...run, summary }, null, 2)}\n` : `${formatTti(run, summary)}\n`,
        );
        // Speed depends on the machine and is printed; a failed iteration or a container left behind fails the run.
        const failed = summary.rows.some((r) => r.stats.ok < r.stats.n || r.leaked > 0);
        process.exitCode = interrupted.signal.aborted ? 130 : failed ? 1 : 0;
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
}
