import { TimingError } from './errors.js';
import { nearestRankIndex } from './quantile.js';

/** How many of a type's newest valid provisionings (not cancelled, not failed by their caller) the SLA verdict judges. */
export const SLA_WINDOW = 100;
/** The quantile the SLA is stated at: the P95 must not exceed the limit. */
export const SLA_QUANTILE = 0.95;

/** One provisioning as the verdict sees it. */
export interface SlaSample {
  durationMs: number;
  /** The limit this provisioning is judged by: its own stored limit, not today's. */
  slaLimitMs: number;
  /** It failed, so it never became ready: it counts as slower than any limit (+Infinity). */
  failed: boolean;
  /** Its caller cancelled it: it says nothing about the SLA and is left out (counted on its own). */
  cancelled?: boolean;
  /**
   * It failed because of its caller (a misspelt image, a command that exits at once): it says nothing about the
   * platform and is left out like a cancellation (counted on its own).
   */
  callerFailed?: boolean;
}

/** The counts a verdict is computed from; cancelled provisionings and caller failures are not among the `n` judged. */
export interface SlaTally {
  /** Provisionings judged. */
  n: number;
  /** Of those, how many failed or took longer than their own limit. */
  breaches: number;
  /** Of those, how many failed (the platform's failures: caller failures are not judged). */
  failures: number;
  /** Provisionings left out because their caller cancelled them. */
  cancelled: number;
  /** Provisionings left out because they failed by their caller's doing (`FailureCause` `caller`). */
  callerFailures: number;
  /** Nearest-rank P95 of the judged durations with failures as +Infinity; `undefined` when `n` is 0. */
  p95Ms: number | undefined;
  /** The limit reported next to the verdict (the server's current limit for the type). */
  slaLimitMs: number;
}

/** `met`, `breached`, or `no-data` when nothing was judged. */
export type SlaStatus = 'met' | 'breached' | 'no-data';
/** Why an SLA is breached: the P95 rank holds a failure (`failures`), or a ready but slow provisioning (`latency`). */
export type SlaBreachReason = 'latency' | 'failures';

/** The SLA verdict: the tally it was computed from, the status, and why when breached. */
export interface SlaVerdict extends SlaTally {
  status: SlaStatus;
  /** Set only when `status` is `breached`. */
  reason: SlaBreachReason | undefined;
  /** Breaches the judged provisionings may hold and still meet the SLA: `n - ceil(0.95 n)`. */
  allowedBreaches: number;
}

/**
 * The one SLA rule every report, API, metric, dashboard and alert uses. Sorting the judged provisionings by
 * duration over their own limit (failures as +Infinity), the SLA is breached when the nearest-rank P95 is over
 * 1, i.e. when more than `n - ceil(0.95 n)` of them breached; the reason is `failures` when failures alone
 * reach the P95 rank.
 */
export function judgeSla(tally: SlaTally): SlaVerdict {
  const { n, breaches, failures, cancelled, callerFailures } = tally;
  for (const [name, value] of Object.entries({ n, breaches, failures, cancelled, callerFailures })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TimingError(
        'INVALID_ARGUMENT',
        `judgeSla: ${name} must be a whole number >= 0, got ${value}`,
      );
    }
  }
  if (failures > breaches || breaches > n) {
    throw new TimingError(
      'INVALID_ARGUMENT',
      `judgeSla: needs failures <= breaches <= n, got ${failures}, ${breaches}, ${n}`,
    );
  }
  if (n === 0) return { ...tally, status: 'no-data', reason: undefined, allowedBreaches: 0 };
  const allowedBreaches = n - (nearestRankIndex(n, SLA_QUANTILE) + 1);
  if (breaches <= allowedBreaches) return { ...tally, status: 'met', reason: undefined, allowedBreaches };
  const reason = failures > allowedBreaches ? 'failures' : 'latency';
  return { ...tally, status: 'breached', reason, allowedBreaches };
}

/** The rule for one provisioning: it breached its SLA when it failed or took longer than its own limit. */
export function isSlaBreach(sample: SlaSample): boolean {
  return sample.failed || !(sample.durationMs <= sample.slaLimitMs);
}

/**
 * Tallies `samples` (newest first) for the verdict: the newest `window` (default 100) that were neither cancelled
 * nor failed by their caller are judged; those left out that are newer than the oldest judged one (all of them,
 * when fewer were judged) are counted, cancellations and caller failures apart.
 */
export function tallySla(
  samples: readonly SlaSample[],
  options: { slaLimitMs: number; window?: number },
): SlaTally {
  const window = options.window ?? SLA_WINDOW;
  if (!Number.isSafeInteger(window) || window < 1) {
    throw new TimingError('INVALID_ARGUMENT', `tallySla: window must be a positive integer, got ${window}`);
  }
  const durations: number[] = [];
  let breaches = 0;
  let failures = 0;
  let cancelled = 0;
  let callerFailures = 0;
  for (const sample of samples) {
    if (durations.length === window) break;
    if (sample.cancelled) {
      cancelled++;
      continue;
    }
    if (sample.callerFailed) {
      callerFailures++;
      continue;
    }
    if (sample.failed) failures++;
    if (isSlaBreach(sample)) breaches++;
    durations.push(sample.failed ? Number.POSITIVE_INFINITY : sample.durationMs);
  }
  durations.sort((a, b) => a - b);
  const p95Ms =
    durations.length === 0 ? undefined : durations[nearestRankIndex(durations.length, SLA_QUANTILE)];
  return {
    n: durations.length,
    breaches,
    failures,
    cancelled,
    callerFailures,
    p95Ms,
    slaLimitMs: options.slaLimitMs,
  };
}

/** `judgeSla(tallySla(samples, options))`: the verdict over the newest `window` valid samples (newest first). */
export function slaVerdict(
  samples: readonly SlaSample[],
  options: { slaLimitMs: number; window?: number },
): SlaVerdict {
  return judgeSla(tallySla(samples, options));
}
