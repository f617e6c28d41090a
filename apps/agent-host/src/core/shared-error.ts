import { isFailureCause, type ProvisionErrorInfo, type ProvisionResult } from '@sbx/timing';

// What a code, a name and a phase may be to cross a tenant boundary: tokens, never free text.
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const PHASE = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * The text of a failure that other tenants may read (the provisions list, alerts, webhooks, `/metrics`, the
 * dashboard): its code and phase (and its cause) only. A failure's own message can carry the sandbox's output (its last log
 * line, a probe's answer), image names and host paths; that detail goes only to the caller whose request
 * failed, in the answer to that request. Idempotent, and safe on input a caller wrote (a browser ingest row).
 */
export function sharedErrorInfo(info: ProvisionErrorInfo): ProvisionErrorInfo {
  const code = info.code !== undefined && CODE.test(info.code) ? info.code : undefined;
  const phase = info.phase !== undefined && PHASE.test(info.phase) ? info.phase : undefined;
  const name = NAME.test(info.name) ? info.name : 'Error';
  const message = `${code ?? name}${phase === undefined ? '' : ` in phase ${phase}`}`;
  return {
    name,
    message,
    ...(code === undefined ? {} : { code }),
    ...(phase === undefined ? {} : { phase }),
    // whose fault it was is one of two words, never text: it decides the verdict, so it is kept
    ...(isFailureCause(info.cause) ? { cause: info.cause } : {}),
  };
}

/** `result` with its error (if any) reduced to `sharedErrorInfo()`: what is stored, alerted and exported. */
export function sharedResult(result: ProvisionResult): ProvisionResult {
  return result.error === undefined ? result : { ...result, error: sharedErrorInfo(result.error) };
}
