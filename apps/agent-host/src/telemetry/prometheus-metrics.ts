import type { ChangeFeed } from '@sbx/store';
import { SANDBOX_RUN_OUTCOMES, SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreHealth } from '../spool/spooled-store.js';
import { RUN_BUCKETS_S } from './buckets.js';
import { ProvisioningSeries } from './provisioning-series.js';
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

/**
 * Prometheus metrics of everything in the database (whichever process wrote it): each scrape first counts the
 * rows committed since the last one, so the counts equal the database's; the SLA gauges come from the one verdict.
 * No sandbox ids as labels; phase names outside the known ones are labelled `other`.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly #feed: ChangeFeed;
  readonly #provisionings: ProvisioningSeries;
  readonly #runs: Histogram<'outcome'>;
  readonly #alerts: Counter;
  #provisionSeq = 0;
  #runSeq = 0;
  #sync: Promise<void> = Promise.resolve();

  constructor(deps: PrometheusMetricsDeps) {
    this.#feed = deps.feed;
    if (deps.host !== undefined) this.registry.setDefaultLabels({ host: deps.host });
    const registers = [this.registry];
    this.#provisionings = new ProvisioningSeries(this.registry, deps.phases);
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
    for (const sandbox_type of SANDBOX_TYPES) this.#provisionings.zero(sandbox_type, '');
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

  async #catchUp(): Promise<void> {
    for (;;) {
      const rows = await this.#feed.provisionsSince(this.#provisionSeq);
      for (const row of rows) {
        this.#provisionings.count(row);
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
