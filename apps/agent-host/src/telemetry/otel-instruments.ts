import { type Histogram, type Meter, metrics } from '@opentelemetry/api';
import {
  isCallerFailure,
  isCancelled,
  type ProvisionResult,
  provisionSourceOf,
  type SandboxPerfRecord,
} from '@sbx/timing';
import { PROVISIONING_BUCKETS_S, RUN_BUCKETS_S } from './buckets.js';

const METER_NAME = '@sbx/agent-host';

interface Instruments {
  provisioning: Histogram;
  run: Histogram;
}

/**
 * Records provisioning and run durations as OpenTelemetry histograms (unit `s`) through `@opentelemetry/api`
 * only: a no-op until the application registers an SDK. The meter is looked up at each record, because the
 * API hands out a no-op meter for good when asked before an SDK is registered.
 */
export class OtelInstruments {
  readonly #byMeter = new WeakMap<Meter, Instruments>();

  #instruments(): Instruments {
    const meter = metrics.getMeter(METER_NAME);
    let found = this.#byMeter.get(meter);
    if (!found) {
      found = {
        provisioning: meter.createHistogram('sbx.provisioning.duration', {
          unit: 's',
          description:
            'Sandbox provisioning duration, by sandbox type, status and source (cold, pool, refill)',
          advice: { explicitBucketBoundaries: [...PROVISIONING_BUCKETS_S] },
        }),
        run: meter.createHistogram('sbx.sandbox.run.duration', {
          unit: 's',
          description: 'Sandbox run (job) duration, by outcome',
          advice: { explicitBucketBoundaries: [...RUN_BUCKETS_S] },
        }),
      };
      this.#byMeter.set(meter, found);
    }
    return found;
  }

  /** Records one provisioning. */
  provision(result: ProvisionResult): void {
    this.#instruments().provisioning.record(result.durationMs / 1000, {
      'sbx.sandbox.type': result.sandboxType,
      'sbx.status': result.status,
      'sbx.failed': result.error !== undefined,
      'sbx.source': provisionSourceOf(result),
      'sbx.runtime': result.attributes?.runtime ?? '',
      'sbx.outcome': isCancelled(result)
        ? 'cancelled'
        : isCallerFailure(result)
          ? 'caller_failed'
          : result.error
            ? 'failed'
            : 'ready',
    });
  }

  /** Records one sandbox run. */
  run(record: SandboxPerfRecord): void {
    this.#instruments().run.record(record.durationMs / 1000, {
      'sbx.outcome': record.outcome,
      'sbx.alert_fired': record.alertFired,
    });
  }
}
