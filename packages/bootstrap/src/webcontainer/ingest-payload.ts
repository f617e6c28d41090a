import type { PhaseTiming, ProvisionErrorInfo, ProvisionResult, SandboxType } from '@sbx/timing/browser';

/** The JSON body a page POSTs to the host's `/v1/provisions`: a `ProvisionResult` without `value` or `slaLimitMs`. */
export interface ProvisionIngestPayload {
  sandboxType: SandboxType;
  /** Milliseconds from the start of the provisioning until it settled (monotonic clock). */
  durationMs: number;
  status: 'ok' | 'sla_breach';
  /** Wall-clock start, ISO 8601 (`2026-11-22T10:00:00.000Z`). */
  timestamp: string;
  /** The timed phases in the order they finished: `preflight`, `boot`, `mount`, `install`, `start`, `ready`. */
  phases: PhaseTiming[];
  /** Present when the provisioning failed; `code` is a `BootstrapError` code such as `RUNTIME_UNREACHABLE`. */
  error?: ProvisionErrorInfo;
}

/** Longest `error.message` the payload carries (the host refuses longer ones). */
export const MAX_ERROR_MESSAGE_CHARS = 2_000;

/** Turns a provisioner's result into the ingest payload (dates as ISO strings, no `value`, bounded error text). */
export function toIngestPayload(result: ProvisionResult): ProvisionIngestPayload {
  const payload: ProvisionIngestPayload = {
    sandboxType: result.sandboxType,
    durationMs: result.durationMs,
    status: result.status,
    timestamp: result.timestamp.toISOString(),
    phases: (result.phases ?? []).map(({ name, startMs, durationMs }) => ({ name, startMs, durationMs })),
  };
  if (result.error) {
    const name = result.error.name.slice(0, 200);
    const message = result.error.message.slice(0, MAX_ERROR_MESSAGE_CHARS);
    const { code } = result.error;
    payload.error = code === undefined ? { name, message } : { name, message, code };
  }
  return payload;
}
