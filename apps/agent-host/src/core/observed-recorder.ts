import {
  isCallerFailure,
  isCancelled,
  isUserFacing,
  type Logger,
  type ProvisionRecorder,
  type ProvisionResult,
  provisionSourceOf,
  SLA_LIMITS,
} from '@sbx/timing';
import type { AlertService } from '../alerts/alert-service.js';
import type { OtelInstruments } from '../telemetry/otel-instruments.js';
import { sharedResult } from './shared-error.js';

/** What the host's recorder chain is built from. */
export interface ObservedRecorderDeps {
  recorder: ProvisionRecorder;
  logger: Logger;
  alerts?: AlertService | undefined;
  telemetry?: OtelInstruments | undefined;
}

/**
 * The store first (its failure is counted, then rethrown for the provisioner to log); then what watches
 * every result: telemetry and SLA-breach alerts. A failure reaches all of them as its code and phase only
 * (`sharedErrorInfo()`): its message, which may quote the sandbox, stays with the caller that got it.
 */
export class ObservedRecorder implements ProvisionRecorder {
  readonly #deps: ObservedRecorderDeps;
  #failures = 0;

  constructor(deps: ObservedRecorderDeps) {
    this.#deps = deps;
  }

  /** How many results could not be stored since the host started. */
  get failures(): number {
    return this.#failures;
  }

  async record(measured: ProvisionResult): Promise<void> {
    const { recorder, telemetry, logger, alerts } = this.#deps;
    // Rows, alerts and metrics are read across tenants: they keep the failure's code and phase, not its text.
    const result = sharedResult(measured);
    // Only valid requests are SLA evidence: a spec the adapter or the engine refused is the caller's mistake.
    if (isCallerMistake(result)) return;
    try {
      await recorder.record(result);
    } catch (error) {
      this.#failures++;
      throw error;
    }
    telemetry?.provision(result);
    // A caller's cancellation or mistake (a missing image, a command that exits) says nothing about the SLA, and a
    // pool's background refill is shown but no caller waited for it: none is an SLA breach anyone saw.
    if (
      result.status !== 'sla_breach' ||
      isCancelled(result) ||
      isCallerFailure(result) ||
      !isUserFacing(provisionSourceOf(result))
    )
      return;
    const thresholdMs = result.slaLimitMs ?? SLA_LIMITS[result.sandboxType];
    const why = result.error ? `failed: ${result.error.message}` : `took ${Math.round(result.durationMs)} ms`;
    const message = `sla-breach: ${result.sandboxType} provisioning ${why} (limit ${thresholdMs} ms)`;
    logger.warn(message, { sandboxType: result.sandboxType, durationMs: result.durationMs });
    await alerts?.raise({
      kind: 'sla-breach',
      sandboxType: result.sandboxType,
      valueMs: result.durationMs,
      thresholdMs,
      message,
      ...(result.attributes?.tenant === undefined ? {} : { tenant: result.attributes.tenant }),
    });
  }
}

/** True when a provisioning failed because of what was asked (answered 4xx), not how the backend did. */
export function isCallerMistake(result: ProvisionResult): boolean {
  return result.error?.code === 'INVALID_SPEC' || result.error?.code === 'RUNTIME_NOT_FOUND';
}
