import type { ChangeFeed } from '@sbx/store';
import { PROVISION_SOURCES, SANDBOX_RUN_OUTCOMES, SANDBOX_TYPES } from '@sbx/timing';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PROVISIONING_BUCKETS_S, RUN_BUCKETS_S } from './buckets.js';

/** What the exporter reads: the change feed of the database, and the live sandbox count. */
export interface PrometheusMetricsDeps {
  feed: ChangeFeed;
  liveSandboxes?: () => number;
}

/**
 * Prometheus metrics of everything in the database (whichever process wrote it): each scrape first counts the
 * rows committed since the last one, so the counts equal the database's. No sandbox ids as labels.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly #feed: ChangeFeed;
  readonly #provisioning: Histogram<'sandbox_type' | 'status' | 'source'>;
  readonly #breaches: Counter<'sandbox_type' | 'source'>;
  readonly #failures: Counter<'sandbox_type' | 'source'>;
  readonly #runs: Histogram<'outcome'>;
  readonly #alerts: Counter;
  #provisionSeq = 0;
  #runSeq = 0;
  #sync: Promise<void> = Promise.resolve();

  constructor(deps: PrometheusMetricsDeps) {
    this.#feed = deps.feed;
    const registers = [this.registry];
    this.#provisioning = new Histogram({
      name: 'sbx_provisioning_duration_seconds',
      help: 'Sandbox provisioning duration in seconds, by sandbox type, status (ok or sla_breach) and source (cold, pool: what a caller waited; refill: a warm pool in the background).',
      labelNames: ['sandbox_type', 'status', 'source'],
      buckets: [...PROVISIONING_BUCKETS_S],
      registers,
    });
    this.#breaches = new Counter({
      name: 'sbx_provisioning_sla_breaches_total',
      help: 'Provisionings over their SLA limit or failed, by sandbox type and source.',
      labelNames: ['sandbox_type', 'source'],
      registers,
    });
    this.#failures = new Counter({
      name: 'sbx_provisioning_failures_total',
      help: 'Provisionings whose bootstrap failed, by sandbox type and source.',
      labelNames: ['sandbox_type', 'source'],
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
    // Every series exists from the first scrape, at zero, so rates and alerts on them work from the start.
    for (const sandbox_type of SANDBOX_TYPES) {
      for (const source of PROVISION_SOURCES) {
        this.#breaches.inc({ sandbox_type, source }, 0);
        this.#failures.inc({ sandbox_type, source }, 0);
        for (const status of ['ok', 'sla_breach']) this.#provisioning.zero({ sandbox_type, status, source });
      }
    }
    for (const outcome of SANDBOX_RUN_OUTCOMES) this.#runs.zero({ outcome });
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
        const labels = { sandbox_type: row.sandboxType, source: row.source };
        this.#provisioning.observe({ ...labels, status: row.status }, row.durationMs / 1000);
        if (row.status === 'sla_breach') this.#breaches.inc(labels);
        if (row.failed) this.#failures.inc(labels);
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
