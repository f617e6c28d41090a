import { dirname } from 'node:path';
import { type SandboxType, SLA_LIMITS } from '@sbx/timing';
import { Command, Option } from 'commander';
import type { AgentHost } from '../compose/agent-host.js';
import { AgentHostError } from '../errors.js';
import type { Admitted, PolicyChoice } from '../kinds/admit-request.js';
import type { KindFlag, SandboxTypeModule } from '../kinds/sandbox-type-module.js';
import { type BatchRow, runProvisionBatch } from '../service/provision-batch.js';
import type { CliIo } from './cli-io.js';
import type { ProvisionCommandContext } from './command-context.js';
import { envPair, MAX_COUNT, wholeNumber } from './flags.js';

export type { ProvisionCommandContext };

import { progressBar } from './format.js';
import { formatRow, formatSummary, refusalLine } from './provision-output.js';
import { provisionWebContainer } from './provision-webcontainer.js';

/** `sbx provision TYPE`, built from the kind's CLI data (its flags, example and runner). */
export function provisionCommand(module: SandboxTypeModule, ctx: ProvisionCommandContext): Command {
  const { cli } = module;
  const command = new Command(module.type).description(cli.description);
  for (const flag of cli.flags) command.addOption(toOption(flag));
  command.addHelpText('after', `\nExample:\n  ${cli.example}`);
  if (cli.runner === 'host-batch') return provisionBatchCommand(command, ctx, (opts) => cli.toSpec(opts));
  return command.action(async (opts) => {
    process.exitCode = await ctx.withHost((agent) => provisionWebContainer(agent, opts, ctx.io));
  });
}

function toOption(flag: KindFlag): Option {
  const option = new Option(flag.flags, flag.description);
  if (flag.choices) option.choices(flag.choices);
  if (flag.parse === 'env-pair') option.argParser(envPair);
  else if (flag.parse) option.argParser(wholeNumber(option.long ?? flag.flags, flag.parse.wholeNumber));
  if (flag.default !== undefined) option.default(flag.default);
  return option;
}

/** Options of a host-provisioned `sbx provision TYPE` batch. */
export interface BatchFlags {
  count: number;
  concurrency: number;
  exec?: string;
  execTimeout?: number;
  deadline?: number;
  json?: boolean;
}

/**
 * Adds the batch flags (`--count`, `--concurrency`, `--exec`, ...) to `command` and runs the batch with the
 * spec `buildSpec` makes from the command's own flags, admitted by the sandbox service under the `--policy`
 * chosen (the server's by default, as `POST /v1/sandboxes`); the exit code says how it went.
 */
export function provisionBatchCommand(
  command: Command,
  ctx: ProvisionCommandContext,
  buildSpec: (opts: Record<string, unknown>) => unknown,
): Command {
  const type = command.name() as SandboxType;
  return command
    .option(
      '--count <n>',
      `how many sandboxes (at most ${MAX_COUNT})`,
      wholeNumber('--count', { max: MAX_COUNT }),
      1,
    )
    .option('--concurrency <c>', 'how many at once', wholeNumber('--concurrency', { max: 1_000 }), 1)
    .option('--exec <command>', 'run this command in each sandbox (timed by the perf monitor)')
    .option('--exec-timeout <ms>', 'kill the command after this many ms', wholeNumber('--exec-timeout'))
    .option('--deadline <ms>', 'give up on one provisioning after this many ms', wholeNumber('--deadline'))
    .option('--json', 'print JSON for scripts')
    .addOption(
      new Option(
        '--policy <rules>',
        "server: sbx serve's sandbox policy (its defaults and SBX_* environment: read-only rootfs, resource caps, egress and registries only when allowed); engine: the engine's defaults",
      )
        .choices(['server', 'engine'])
        .default('server'),
    )
    .action(async (opts) => {
      const built = withHelpHint(() => buildSpec(opts), `sbx provision ${type} --help`);
      process.exitCode = await ctx.withHost(async (agent, signal) => {
        const admitted = await agent.service.admitFlags(type, built, opts.policy as PolicyChoice);
        return provisionBatch(agent, admitted, { ...opts, signal }, ctx.io);
      });
    });
}

/** How long `sbx provision` waits at the end for results spooled during an outage to reach the database. */
const SPOOL_DRAIN_MS = 3_000;

/** Runs a batch with live rows (or a progress bar) and a summary; resolves to the exit code. */
async function provisionBatch(
  agent: AgentHost,
  admitted: Admitted,
  options: BatchFlags & { signal: AbortSignal },
  io: CliIo,
): Promise<number> {
  const bar = !options.json && options.count > 1 && io.stderr.isTTY === true;
  let done = 0;
  const onRow = (row: BatchRow) => {
    done++;
    if (bar) io.stderr.write('\r\x1b[2K');
    if (!options.json && row.status !== 'refused') io.stdout.write(`${formatRow(row)}\n`);
    if (bar) io.stderr.write(progressBar(done, options.count));
  };
  if (bar) io.stderr.write(progressBar(0, options.count));
  const { type } = admitted;
  const batch = await runProvisionBatch(agent.service, admitted, {
    count: options.count,
    concurrency: options.concurrency,
    exec: options.exec,
    signal: options.signal,
    onRow,
    ...(options.execTimeout ? { execTimeoutMs: options.execTimeout } : {}),
    ...(options.deadline ? { deadlineMs: options.deadline } : {}),
  });
  if (bar) io.stderr.write('\r\x1b[2K');
  if (options.json)
    io.stdout.write(`${JSON.stringify({ rows: batch.rows, summary: batch.summary }, null, 2)}\n`);
  else io.stdout.write(`${formatSummary(batch.summary, SLA_LIMITS[type])}\n`);
  const refusal = refusalLine(batch.rows, options.count, agent.config.policy.maxLivePerTenant);
  if (refusal) io.stderr.write(`sbx: ${refusal}\n`);
  if (batch.interrupted) return 130;
  const spooled = await agent.drainStore(SPOOL_DRAIN_MS);
  if (spooled > 0) {
    throw new AgentHostError(
      'NOT_RECORDED',
      `${spooled} result(s) were not stored in ${agent.config.dbLabel ?? agent.config.dbPath} (it did not answer): they wait in the spool in ${dirname(agent.config.spoolPath ?? '.')} and the next sbx command that reaches it stores them`,
    );
  }
  if (agent.service.recordFailures > 0) {
    throw new AgentHostError(
      'NOT_RECORDED',
      `${agent.service.recordFailures} result(s) could not be recorded in ${agent.config.dbLabel ?? agent.config.dbPath}; see the errors above`,
    );
  }
  return batch.summary.failures > 0 || batch.summary.jobFailures > 0 || batch.summary.refused > 0 ? 1 : 0;
}

// A flag mistake found after parsing still ends with where to read more.
function withHelpHint<T>(fn: () => T, help: string): T {
  try {
    return fn();
  } catch (error) {
    if (
      error instanceof AgentHostError &&
      error.code === 'INVALID_FLAG' &&
      !error.message.includes('--help')
    ) {
      throw new AgentHostError('INVALID_FLAG', `${error.message} (see ${help})`, { cause: error });
    }
    throw error;
  }
}
