import type { BatchRow, BatchSummary } from '../service/provision-batch.js';
import { jobOutput, ms, phaseLine } from './format.js';

/** One row of a batch as `sbx provision` prints it: total, phases, job and error. */
export function formatRow(row: BatchRow): string {
  const status = row.failed ? 'FAILED' : row.status;
  const head = `#${String(row.index).padEnd(4)} ${status.padEnd(10)} ${ms(row.durationMs).padStart(11)}`;
  const tail = row.error ? `  ${row.error.code ?? row.error.name}: ${row.error.message}` : '';
  const job = row.job ? `  job ${row.job.outcome} exit ${row.job.exitCode} ${ms(row.job.durationMs)}` : '';
  return `${head}  ${phaseLine(row.phases)}${job}${tail}${row.job ? jobOutput(row.job) : ''}`;
}

/** One line for the provisionings the host refused (by code), or undefined when it refused none. */
export function refusalLine(rows: readonly BatchRow[], count: number, perTenant: number): string | undefined {
  const refused = rows.filter((r) => r.status === 'refused');
  if (refused.length === 0) return undefined;
  const reasons = new Map<string, number>();
  for (const r of refused) {
    const reason = `${r.error?.code ?? r.error?.name}: ${r.error?.message}`;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const why = [...reasons].map(([reason, n]) => (reasons.size > 1 ? `${n} ${reason}` : reason)).join('; ');
  const capped = refused.some((r) => r.error?.code === 'TOO_MANY_SANDBOXES')
    ? `: run at most ${perTenant} at once (--concurrency ${perTenant}) or raise the cap (SBX_MAX_LIVE_PER_TENANT, SBX_MAX_LIVE_TOTAL)`
    : '';
  return `${refused.length} of ${count} refused before provisioning, not measured (${why})${capped}`;
}

/** The batch summary: quantiles of what was measured, breaches and failures. */
export function formatSummary(s: BatchSummary, slaLimitMs: number): string {
  return [
    `provisioned ${s.n}: p50 ${ms(s.p50Ms)}  p95 ${ms(s.p95Ms)}  p99 ${ms(s.p99Ms)}  (SLA ${slaLimitMs} ms)`,
    `SLA breaches ${s.slaBreaches}  failures ${s.failures}${s.jobFailures ? `  failed jobs ${s.jobFailures}` : ''}`,
  ].join('\n');
}
