import { SANDBOX_RUN_OUTCOMES } from '@sbx/timing';
import type { NewPerfRecord } from './perf-record.table.js';
import { describe, invalid, nonNegativeFinite, string } from './validate.js';

// The largest time a Date can hold.
const MAX_EPOCH_MS = 8.64e15;

/**
 * Validates a `SandboxPerfRecord` (from untyped callers too) and maps it to its row, rounding `startTime` and
 * `durationMs` to whole milliseconds for the INTEGER columns. Throws `INVALID_INPUT` naming the bad field.
 */
export function perfRecordRow(
  record: unknown,
  createdAt: string,
  hostId: string | null = null,
): NewPerfRecord {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    invalid('record', `must be an object, got ${describe(record)}`);
  }
  const r = record as Record<string, unknown>;
  const sandboxId = string(r.sandboxId, 'sandboxId', true);
  const startTime = nonNegativeFinite(r.startTime, 'startTime');
  if (startTime > MAX_EPOCH_MS) invalid('startTime', `must be epoch milliseconds, got ${startTime}`);
  const durationMs = nonNegativeFinite(r.durationMs, 'durationMs');
  if (!SANDBOX_RUN_OUTCOMES.includes(r.outcome as never)) {
    invalid('outcome', `must be one of ${SANDBOX_RUN_OUTCOMES.join(', ')}, got ${describe(r.outcome)}`);
  }
  if (typeof r.alertFired !== 'boolean')
    invalid('alertFired', `must be a boolean, got ${describe(r.alertFired)}`);
  return {
    sandbox_id: sandboxId,
    start_time: Math.round(startTime),
    duration_ms: Math.round(durationMs),
    outcome: r.outcome as NewPerfRecord['outcome'],
    alert_fired: r.alertFired ? 1 : 0,
    created_at: createdAt,
    host_id: hostId,
  };
}
