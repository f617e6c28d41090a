import { describeError, type PhaseTiming, type ProvisionResult, quantile } from '@sbx/timing';
import type { Admitted } from '../kinds/admit-request.js';
import type { SandboxService } from './sandbox-service.js';

/** What a batch calls: the sandbox service (every provisioning through `create`, as the HTTP API's). */
export type BatchService = Pick<SandboxService, 'create' | 'exec' | 'dispose'>;

/** One provisioning of a batch, as the CLI prints it. */
export interface BatchRow {
  index: number;
  sandboxId?: string;
  /** `refused`: the host turned it away before measuring (a live cap, a closing host): no KPI row, no breach. */
  status: 'ok' | 'sla_breach' | 'refused';
  failed: boolean;
  durationMs: number;
  phases: PhaseTiming[];
  error?: { name: string; message: string; code?: string };
  job?: {
    exitCode: number;
    durationMs: number;
    outcome: string;
    alertFired: boolean;
    stdout: string;
    stderr: string;
  };
}

/** What a batch measured. */
export interface BatchSummary {
  n: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  slaBreaches: number;
  failures: number;
  jobFailures: number;
  /** Provisionings the host refused before measuring (a caller error: not in `n`, the quantiles or breaches). */
  refused: number;
}

/** Options of one batch. */
export interface BatchOptions {
  count: number;
  concurrency: number;
  exec?: string | undefined;
  execTimeoutMs?: number;
  deadlineMs?: number;
  /** Ctrl-C: stops starting new provisions and aborts those in flight (their sandboxes are removed). */
  signal?: AbortSignal;
  onRow?: (row: BatchRow) => void;
}

/**
 * Provisions `count` sandboxes of an admitted spec through the service, `concurrency` at a time; each runs the
 * optional job and is torn down.
 */
export async function runProvisionBatch(service: BatchService, admitted: Admitted, options: BatchOptions) {
  const rows: BatchRow[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.count && !options.signal?.aborted) {
      const index = ++next;
      const row = await provisionOne(service, admitted, index, options);
      rows.push(row);
      options.onRow?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  rows.sort((a, b) => a.index - b.index);
  return { rows, summary: summarize(rows), interrupted: options.signal?.aborted ?? false };
}

async function provisionOne(service: BatchService, admitted: Admitted, index: number, options: BatchOptions) {
  let measured: ProvisionResult | undefined;
  const onResult = (r: ProvisionResult) => {
    measured = r;
  };
  try {
    const { sandbox, result } = await service.create({
      admitted: options.deadlineMs ? { ...admitted, deadlineMs: options.deadlineMs } : admitted,
      onResult,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const row = toRow(index, result);
    row.sandboxId = sandbox.id;
    try {
      if (options.exec) {
        const { exec, record } = await service.exec(sandbox, options.exec, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.execTimeoutMs ? { timeoutMs: options.execTimeoutMs } : {}),
        });
        row.job = {
          ...exec,
          durationMs: record.durationMs,
          outcome: record.outcome,
          alertFired: record.alertFired,
        };
      }
    } catch (error) {
      row.job = {
        exitCode: -1,
        durationMs: 0,
        outcome: 'error',
        alertFired: false,
        stdout: '',
        stderr: describeError(error).message,
      };
    } finally {
      await service.dispose(sandbox.id);
    }
    return row;
  } catch (error) {
    // Refused before the provisioner ran (no measurement): the caller's error, not a 0 ms SLA breach.
    const row: BatchRow = measured
      ? toRow(index, measured)
      : { index, status: 'refused', failed: false, durationMs: 0, phases: [] };
    row.failed = measured !== undefined;
    row.error = describeError(error);
    return row;
  }
}

function toRow(index: number, result: ProvisionResult): BatchRow {
  const row: BatchRow = {
    index,
    status: result.status,
    failed: result.error !== undefined,
    durationMs: result.durationMs,
    phases: result.phases ?? [],
  };
  if (result.error) row.error = result.error;
  return row;
}

/** p50/p95/p99 (nearest rank), SLA breaches and failures of a batch. */
export function summarize(all: readonly BatchRow[]): BatchSummary {
  const rows = all.filter((r) => r.status !== 'refused');
  const durations = rows.map((r) => r.durationMs);
  return {
    n: rows.length,
    p50Ms: quantile(durations, 0.5),
    p95Ms: quantile(durations, 0.95),
    p99Ms: quantile(durations, 0.99),
    slaBreaches: rows.filter((r) => r.status === 'sla_breach').length,
    failures: rows.filter((r) => r.failed).length,
    jobFailures: rows.filter((r) => r.job && r.job.outcome !== 'success').length,
    refused: all.length - rows.length,
  };
}
