import type { ChangeFeed, ProvisionChange } from '@sbx/store';
import { PROVISION_SOURCES, SANDBOX_RUN_OUTCOMES, SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreHealth } from '../spool/spooled-store.js';
import { PROVISIONING_BUCKETS_S, RUN_BUCKETS_S } from './buckets.js';
import { registerSlaGauges, type SlaVerdictSource } from './sla-gauges.js';
import { registerSpoolGauges } from './spool-gauges.js';

/** What the exporter reads: the change feed of the database, the SLA verdicts, and the live sandbox count. */
export interface PrometheusMetricsDeps {
  feed: ChangeFeed;
  /** The phases each sandbox type reports (the kinds' table): others are labelled `other`. */
  phases: Readonly<Record<SandboxType, readonly string[]>>;
  /** Where the SLA gauges read the verdict (`SandboxProvisioningKPI`); without it they are not exported. */
  kpis?: SlaVerdictSource;
  liveSandboxes?: () => number;
  /** The host's store state: exported as the spool gauges (`sbx_spool_depth`, `sbx_spool_oldest_age_seconds`). */
  storeHealth?: () => StoreHealth;
  /** The `host` label on every series: the agent host that measured them (one series per host in a fleet). */
  host?: string;
}

const OUTCOMES = ['ready', 'failed', 'cancelled', 'caller_failed'] as const;

/**
 * Prometheus metrics of everything in the database (whichever process wrote it): each scrape first counts the
 * rows committed since the last one, so the counts equal the database's; the SLA gauges come from the one verdict.
 * No sandbox ids as labels; phase names outside the known ones are labelled `other`.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly #feed: ChangeFeed;
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
  readonly #runs: Histogram<'outcome'>;
  readonly #alerts: Counter;
  #provisionSeq = 0;
  #runSeq = 0;
  #sync: Promise<void> = Promise.resolve();

  constructor(deps: PrometheusMetricsDeps) {
    this.#feed = deps.feed;
    this.#knownPhases = deps.phases;
    if (deps.host !== undefined) this.registry.setDefaultLabels({ host: deps.host });
    const registers = [this.registry];
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
    this.#runs = new Histogram({
      name: 'sbx_sandbox_run_duration_seconds',
      help: 'Sandbox run (job) duration in seconds, by outcome.',
      labelNames: ['outcome'],
      buckets: [...RUN_BUCKETS_S],
      registers,
    });
    this.#alerts = new Counter({
      name: 'sbx_overhead_alerts_total',
      help: "Sandbox runs that raised an 'overhead-alert' (over the perf monitor's threshold).",
      registers,
    });
    // Every series exists from the first scrape, at zero, so rates and alerts on them work from the start (with
    // an empty runtime; a runtime's own series from its first row on).
    for (const sandbox_type of SANDBOX_TYPES) this.#zero(sandbox_type, '');
    for (const outcome of SANDBOX_RUN_OUTCOMES) this.#runs.zero({ outcome });
    if (deps.kpis) registerSlaGauges(this.registry, deps.kpis);
    if (deps.storeHealth) registerSpoolGauges(this.registry, deps.storeHealth);
    const live = deps.liveSandboxes;
    if (live) {
      new Gauge({
        name: 'sbx_live_sandboxes',
        help: 'Sandboxes this host has provisioned and not yet removed.',
        registers,
        collect() {
          this.set(live());
        },
      });
    }
  }

  /** The exposition text, after counting new rows; concurrent scrapes wait for one another. */
  async metrics(): Promise<string> {
    // A failed catch-up (a locked database) fails this scrape only; the cursor keeps what was counted.
    this.#sync = this.#sync.catch(() => {}).then(() => this.#catchUp());
    await this.#sync;
    return this.registry.metrics();
  }

  /** The content type of `metrics()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  #zero(sandbox_type: ProvisionChange['sandboxType'], runtime: string): void {
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

  #count(row: ProvisionChange): void {
    // A row without a runtime (a webcontainer, a row recorded before runtimes were) has an empty label.
    const runtime = row.runtime ?? '';
    this.#zero(row.sandboxType, runtime);
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

  async #catchUp(): Promise<void> {
    for (;;) {
      const rows = await this.#feed.provisionsSince(this.#provisionSeq);
      for (const row of rows) {
        this.#count(row);
        this.#provisionSeq = row.seq;
      }
      if (rows.length === 0) break;
    }
    for (;;) {
      const rows = await this.#feed.perfRecordsSince(this.#runSeq);
      for (const row of rows) {
        this.#runs.observe({ outcome: row.outcome }, row.durationMs / 1000);
        if (row.alertFired) this.#alerts.inc();
        this.#runSeq = row.seq;
      }
      if (rows.length === 0) break;
    }
  }
}
