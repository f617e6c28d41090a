import { Gauge, type Registry } from 'prom-client';
import type { StoreHealth } from '../spool/spooled-store.js';

/**
 * `sbx_spool_depth` and `sbx_spool_oldest_age_seconds`: results the store could not take yet, and how long
 * the oldest has waited (0 when none). Read from the host at each scrape, never from the database (which may
 * be the thing that is away).
 */
export function registerSpoolGauges(registry: Registry, health: () => StoreHealth): void {
  new Gauge({
    name: 'sbx_spool_depth',
    help: 'Results (provisionings, perf records, alerts) waiting in the local spool for the database.',
    registers: [registry],
    collect() {
      this.set(health().spooled);
    },
  });
  new Gauge({
    name: 'sbx_spool_oldest_age_seconds',
    help: 'Age of the oldest result waiting in the local spool (0 when it is empty).',
    registers: [registry],
    collect() {
      this.set(health().oldestAgeSeconds);
    },
  });
}
