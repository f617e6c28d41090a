import type { DockerSandboxSpec } from '@sbx/bootstrap';
import { SLA_LIMITS } from '@sbx/timing';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import { type BatchRow, type BatchSummary, runProvisionBatch } from '../sandbox/provision-batch.js';
import type { CliIo } from './cli-io.js';
import { ms, phaseLine, progressBar } from './format.js';

/** Options of `sbx provision docker`. */
export interface ProvisionDockerOptions {
  count: number;
  concurrency: number;
  exec?: string;
  execTimeout?: number;
  deadline?: number;
  json?: boolean;
}

/** Runs a batch with live rows (or a progress bar), Ctrl-C teardown and a summary; resolves to the exit code. */
export async function provisionDocker(
  agent: AgentHost,
  spec: DockerSandboxSpec,
  options: ProvisionDockerOptions,
  io: CliIo,
): Promise<number> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) return;
    io.stderr.write(`\n${signal}: stopping; removing live sandboxes (recorded results are kept)\n`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bar = !options.json && options.count > 1 && io.stderr.isTTY === true;
  let done = 0;
  const onRow = (row: BatchRow) => {
    done++;
    if (bar) io.stderr.write(`\r\x1b[2K`);
    if (!options.json) io.stdout.write(`${formatRow(row)}\n`);
    if (bar) io.stderr.write(progressBar(done, options.count));
  };
  if (bar) io.stderr.write(progressBar(0, options.count));
  try {
    const batch = await runProvisionBatch(agent.host, spec, {
      count: options.count,
      concurrency: options.concurrency,
      exec: options.exec,
      signal: interrupt.signal,
      onRow,
      ...(options.execTimeout ? { execTimeoutMs: options.execTimeout } : {}),
      ...(options.deadline ? { deadlineMs: options.deadline } : {}),
    });
    if (bar) io.stderr.write('\r\x1b[2K');
    if (options.json)
      io.stdout.write(`${JSON.stringify({ rows: batch.rows, summary: batch.summary }, null, 2)}\n`);
    else io.stdout.write(`${formatSummary(batch.summary)}\n`);
    if (batch.interrupted) return 130;
    return batch.summary.failures > 0 || batch.summary.jobFailures > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function formatRow(row: BatchRow): string {
  const status = row.failed ? 'FAILED' : row.status;
  const head = `#${String(row.index).padEnd(4)} ${status.padEnd(10)} ${ms(row.durationMs).padStart(11)}`;
  const tail = row.error ? `  ${row.error.code ?? row.error.name}: ${row.error.message}` : '';
  const job = row.job ? `  job ${row.job.outcome} exit ${row.job.exitCode} ${ms(row.job.durationMs)}` : '';
  return `${head}  ${phaseLine(row.phases)}${job}${tail}`;
}

function formatSummary(s: BatchSummary): string {
  return [
    `provisioned ${s.n}: p50 ${ms(s.p50Ms)}  p95 ${ms(s.p95Ms)}  p99 ${ms(s.p99Ms)}  (SLA ${SLA_LIMITS.docker} ms)`,
    `SLA breaches ${s.slaBreaches}  failures ${s.failures}${s.jobFailures ? `  failed jobs ${s.jobFailures}` : ''}`,
  ].join('\n');
}
