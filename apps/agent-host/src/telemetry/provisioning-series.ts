// The provisioning series of the Prometheus exporter: registered, at zero from the first scrape, and counted from
// each provisioning row of the change feed.
import type { ProvisionChange } from '@sbx/store';
import { PROVISION_SOURCES, type SandboxType } from '@sbx/timing';
import { Counter, Histogram, type Registry } from 'prom-client';
import { PROVISIONING_BUCKETS_S } from './buckets.js';

const OUTCOMES = ['ready', 'failed', 'cancelled', 'caller_failed'] as const;

/** The provisioning histograms and counters, by sandbox type, source and engine runtime (no sandbox ids). */
export class ProvisioningSeries {
  readonly #knownPhases: Readonly<Record<SandboxType, readonly string[]>>;
  readonly #provisioning: Histogram<'sandbox_type' | 'status' | 'source' | 'runtime'>;
  readonly #phases: Histogram<'sandbox_type' | 'phase' | 'runtime'>;
  readonly #total: Counter<'sandbox_type' | 'outcome' | 'source' | 'runtime'>;
  readonly #breaches: Counter<'sandbox_type' | 'source' | 'runtime'>;
  readonly #failures: Counter<'sandbox_type' | 'source' | 'runtime'>;
  readonly #cancelled: Counter<'sandbox_type' | 'source' | 'runtime'>;
  readonly #callerFailures: Counter<'sandbox_type' | 'source' | 'runtime'>;
  // (sandbox_type, runtime) pairs whose series exist at zero.
  readonly #zeroed = new Set<string>();

  /** Registers the series in `registry`; phase names outside `phases` (per type) are labelled `other`. */
  constructor(registry: Registry, phases: Readonly<Record<SandboxType, readonly string[]>>) {
    this.#knownPhases = phases;
    const registers = [registry];
    const buckets = [...PROVISIONING_BUCKETS_S];
    this.#provisioning = new Histogram({
      name: 'sbx_provisioning_duration_seconds',
      help: 'Duration of provisionings that became ready, by sandbox type, status (sla_breach: over their own limit), source (cold, pool: what a caller waited; refill: a warm pool in the background) and engine runtime (runc, runsc; empty without one). Failed, caller-failed and cancelled ones are counted in sbx_provisionings_total.',
      labelNames: ['sandbox_type', 'status', 'source', 'runtime'],
      buckets,
      registers,
    });
    this.#phases = new Histogram({
      name: 'sbx_provisioning_phase_duration_seconds',
      help: 'Duration of each timed phase of provisionings that were neither cancelled nor failed by their caller, by sandbox type, phase and engine runtime.',
      labelNames: ['sandbox_type', 'phase', 'runtime'],
      buckets,
      registers,
    });
    this.#total = new Counter({
      name: 'sbx_provisionings_total',
      help: "Provisionings by outcome (ready; failed: never became ready by the platform's doing; caller_failed: by the caller's, e.g. an image that does not exist or a command that exits before it is ready; cancelled by their caller), source and engine runtime.",
      labelNames: ['sandbox_type', 'outcome', 'source', 'runtime'],
      registers,
    });
    this.#breaches = new Counter({
      name: 'sbx_provisioning_sla_breaches_total',
      help: 'Provisionings that failed or took longer than their own SLA limit (cancelled ones and caller failures left out), by source and engine runtime.',
      labelNames: ['sandbox_type', 'source', 'runtime'],
      registers,
    });
    this.#failures = new Counter({
      name: 'sbx_provisioning_failures_total',
      help: "Provisionings whose bootstrap failed by the platform's doing (cancelled ones and caller failures left out), by source and engine runtime.",
      labelNames: ['sandbox_type', 'source', 'runtime'],
      registers,
    });
    this.#cancelled = new Counter({
      name: 'sbx_provisioning_cancelled_total',
      help: 'Provisionings their caller cancelled (Ctrl-C, a closed request): no SLA evidence. By source and engine runtime.',
      labelNames: ['sandbox_type', 'source', 'runtime'],
      registers,
    });
    this.#callerFailures = new Counter({
      name: 'sbx_provisioning_caller_failures_total',
      help: "Provisionings that failed by their caller's doing (an image that does not exist, a command that exits or never passes its readiness check, an invalid spec): no SLA evidence. By source and engine runtime.",
      labelNames: ['sandbox_type', 'source', 'runtime'],
      registers,
    });
  }

  /** Makes every series of (sandbox type, runtime) exist at zero, once. */
  zero(sandbox_type: ProvisionChange['sandboxType'], runtime: string): void {
    const key = `${sandbox_type}\u0000${runtime}`;
    if (this.#zeroed.has(key)) return;
    this.#zeroed.add(key);
    for (const source of PROVISION_SOURCES) {
      for (const counter of [this.#breaches, this.#failures, this.#cancelled, this.#callerFailures])
        counter.inc({ sandbox_type, source, runtime }, 0);
      for (const outcome of OUTCOMES) this.#total.inc({ sandbox_type, outcome, source, runtime }, 0);
      for (const status of ['ok', 'sla_breach'])
        this.#provisioning.zero({ sandbox_type, status, source, runtime });
    }
    for (const phase of this.#knownPhases[sandbox_type]) this.#phases.zero({ sandbox_type, phase, runtime });
  }

  /** Counts one provisioning row. */
  count(row: ProvisionChange): void {
    // A row without a runtime (a webcontainer, a row recorded before runtimes were) has an empty label.
    const runtime = row.runtime ?? '';
    this.zero(row.sandboxType, runtime);
    const labels = { sandbox_type: row.sandboxType, source: row.source, runtime };
    const outcome = row.cancelled
      ? 'cancelled'
      : row.callerFailed
        ? 'caller_failed'
        : row.failed
          ? 'failed'
          : 'ready';
    this.#total.inc({ ...labels, outcome });
    if (row.cancelled) {
      this.#cancelled.inc(labels);
      return;
    }
    // The caller's mistake says nothing of the platform: counted apart, like a cancellation.
    if (row.callerFailed) {
      this.#callerFailures.inc(labels);
      return;
    }
    if (row.failed) this.#failures.inc(labels);
    const slow = !(row.durationMs <= row.slaLimitMs);
    if (row.failed || slow) this.#breaches.inc(labels);
    // A failure never became ready: its few milliseconds are no provisioning latency.
    if (!row.failed) {
      this.#provisioning.observe({ ...labels, status: slow ? 'sla_breach' : 'ok' }, row.durationMs / 1000);
    }
    const known = this.#knownPhases[row.sandboxType];
    for (const phase of row.phases) {
      const name = known.includes(phase.name) ? phase.name : 'other';
      this.#phases.observe({ sandbox_type: row.sandboxType, phase: name, runtime }, phase.durationMs / 1000);
    }
  }
}
