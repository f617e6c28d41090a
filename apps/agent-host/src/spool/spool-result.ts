// A provisioning result as the spool holds it: what of it is stored, and how it is read back.
import type { ProvisionResult } from '@sbx/timing';

/** What of a result is stored (the provisioner's result may carry the sandbox itself as `value`: never spooled). */
export function spoolableResult(result: ProvisionResult): ProvisionResult {
  const { sandboxType, durationMs, status, timestamp, slaLimitMs, phases, error, attributes } = result;
  return {
    sandboxType,
    durationMs,
    status,
    timestamp,
    slaLimitMs,
    phases,
    error,
    attributes,
  } as ProvisionResult;
}

/** A result read back from the spool file, its timestamp (ISO text there) a Date again. */
export function reviveResult(data: unknown): ProvisionResult {
  const result = data as ProvisionResult & { timestamp: Date | string };
  return typeof result.timestamp === 'string' ? { ...result, timestamp: new Date(result.timestamp) } : result;
}
