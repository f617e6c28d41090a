import {
  FAILURE_CAUSES,
  type FailureCause,
  isFailureCause,
  isProvisionSource,
  type PhaseTiming,
  PROVISION_SOURCES,
  type ProvisionSource,
  SLA_LIMITS,
} from '@sbx/timing';
import type { NewProvisioningKpi } from './provisioning-kpi.table.js';
import type { NewProvisioningPhase } from './provisioning-phase.table.js';
import { describe, invalid, isoDate, nonNegativeFinite, sandboxType, string } from './validate.js';

/** The rows one provisioning result becomes. */
export interface ProvisionRows {
  kpi: NewProvisioningKpi;
  phases: NewProvisioningPhase[];
}

/** The columns the store writes to `sandbox_provisioning_kpis` (the rest are generated). */
export const KPI_COLUMNS = [
  'id',
  'sandbox_type',
  'duration_ms',
  'status',
  'timestamp',
  'sla_limit_ms',
  'error_name',
  'error_message',
  'error_code',
  'failure_cause',
  'tenant',
  'host_id',
  'source',
  'runtime',
  'network',
] as const;
/** The columns of `sandbox_provisioning_phases`. */
export const PHASE_COLUMNS = ['provision_id', 'seq', 'name', 'start_ms', 'duration_ms'] as const;

const STATUSES: readonly unknown[] = ['ok', 'sla_breach'];
/** Longest `runtime` or `network` attribute: engine names (`runc`, `runsc`) and modes (`none`, `egress`) are short. */
export const MAX_LABEL_LENGTH = 64;

/**
 * Validates a `ProvisionResult` (from untyped callers too) and maps it to its rows under `id`. Throws
 * `INVALID_INPUT` naming the first bad field, prefixed by `path` (e.g. `results[3].`), before anything is written.
 */
export function provisionResultRows(result: unknown, id: string, path = ''): ProvisionRows {
  const r = record(result, path === '' ? 'result' : path.slice(0, -1));
  const type = sandboxType(r.sandboxType, `${path}sandboxType`);
  const durationMs = nonNegativeFinite(r.durationMs, `${path}durationMs`);
  if (!STATUSES.includes(r.status)) {
    invalid(`${path}status`, `must be 'ok' or 'sla_breach', got ${describe(r.status)}`);
  }
  const timestamp = isoDate(r.timestamp, `${path}timestamp`);
  let slaLimitMs = SLA_LIMITS[type];
  if (r.slaLimitMs !== undefined) {
    slaLimitMs = nonNegativeFinite(r.slaLimitMs, `${path}slaLimitMs`);
    if (slaLimitMs === 0) invalid(`${path}slaLimitMs`, 'must be greater than 0');
  }
  const error = r.error === undefined ? undefined : errorInfo(r.error, `${path}error`);
  const tenant = attribute(r.attributes, 'tenant', `${path}attributes`);
  const hostId = attribute(r.attributes, 'hostId', `${path}attributes`);
  const source = sourceOf(r.attributes, `${path}attributes`);
  const runtime = attribute(r.attributes, 'runtime', `${path}attributes`, MAX_LABEL_LENGTH);
  const network = attribute(r.attributes, 'network', `${path}attributes`, MAX_LABEL_LENGTH);
  return {
    kpi: {
      id,
      sandbox_type: type,
      duration_ms: durationMs,
      status: r.status as NewProvisioningKpi['status'],
      timestamp,
      sla_limit_ms: slaLimitMs,
      error_name: error?.name ?? null,
      error_message: error?.message ?? null,
      error_code: error?.code ?? null,
      failure_cause: error?.cause ?? null,
      tenant,
      source,
      host_id: hostId,
      runtime,
      network,
    },
    phases: phases(r.phases, `${path}phases`).map((phase, seq) => ({
      provision_id: id,
      seq,
      name: phase.name,
      start_ms: phase.startMs,
      duration_ms: phase.durationMs,
    })),
  };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(field, `must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A non-empty string attribute (`tenant`, `hostId`, `runtime`, `network`), at most `max` long; null when absent. */
function attribute(value: unknown, name: string, field: string, max?: number): string | null {
  if (value === undefined) return null;
  const found = record(value, field)[name];
  if (found === undefined) return null;
  const text = string(found, `${field}.${name}`, true);
  if (max !== undefined && text.length > max) {
    invalid(`${field}.${name}`, `must be at most ${max} characters, got ${text.length}`);
  }
  return text;
}

// No source attribute: provisioned for its caller (every row before pools existed was).
function sourceOf(value: unknown, field: string): ProvisionSource {
  if (value === undefined) return 'cold';
  const source = record(value, field).source;
  if (source === undefined) return 'cold';
  if (!isProvisionSource(source)) {
    invalid(`${field}.source`, `must be one of ${PROVISION_SOURCES.join(', ')}, got ${describe(source)}`);
  }
  return source;
}

function errorInfo(
  value: unknown,
  field: string,
): { name: string; message: string; code: string | null; cause: FailureCause } {
  const e = record(value, field);
  // A failure that names no cause (a recorder before causes) is the platform's: it stays SLA evidence.
  if (e.cause !== undefined && !isFailureCause(e.cause)) {
    invalid(`${field}.cause`, `must be one of ${FAILURE_CAUSES.join(', ')}, got ${describe(e.cause)}`);
  }
  return {
    name: string(e.name, `${field}.name`),
    message: string(e.message, `${field}.message`),
    code: e.code === undefined ? null : string(e.code, `${field}.code`),
    cause: e.cause ?? 'platform',
  };
}

function phases(value: unknown, field: string): PhaseTiming[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalid(field, `must be an array, got ${describe(value)}`);
  return value.map((item: unknown, i) => {
    const p = record(item, `${field}[${i}]`);
    return {
      name: string(p.name, `${field}[${i}].name`, true),
      startMs: nonNegativeFinite(p.startMs, `${field}[${i}].startMs`),
      durationMs: nonNegativeFinite(p.durationMs, `${field}[${i}].durationMs`),
    };
  });
}
