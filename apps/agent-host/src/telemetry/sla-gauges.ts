import { SANDBOX_TYPES, type SandboxType, SLA_LIMITS, type SlaVerdict } from '@sbx/timing';
import { Gauge, type Registry } from 'prom-client';

/** Where the gauges read the verdict: `SandboxProvisioningKPI` of @sbx/store. */
export interface SlaVerdictSource {
  getSlaVerdict(type: SandboxType): Promise<SlaVerdict>;
}

/**
 * Registers the SLA gauges, read from the one verdict at each scrape: the window's P95 (+Inf when a failure holds
 * the P95 rank), the limit, and whether the SLA is met. A type with no data yet has no P95 and no verdict series.
 */
export function registerSlaGauges(registry: Registry, source: SlaVerdictSource): void {
  const registers = [registry];
  // A scrape collects both gauges at once: they share the one read in flight instead of reading every verdict twice.
  let inFlight: Promise<Partial<Record<SandboxType, SlaVerdict>>> | undefined;
  const verdicts = () => {
    inFlight ??= Promise.all(SANDBOX_TYPES.map(async (t) => [t, await source.getSlaVerdict(t)] as const))
      .then((entries) => Object.fromEntries(entries))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  new Gauge({
    name: 'sbx_provisioning_p95_last100_seconds',
    help: 'Nearest-rank P95 of the newest 100 valid provisionings (cancelled ones left out), a failure counting as +Inf: the figure the SLA verdict judges.',
    labelNames: ['sandbox_type'],
    registers,
    async collect() {
      const all = await verdicts();
      this.reset();
      for (const sandbox_type of SANDBOX_TYPES) {
        const p95 = all[sandbox_type]?.p95Ms;
        if (p95 !== undefined) this.set({ sandbox_type }, p95 / 1000);
      }
    },
  });
  new Gauge({
    name: 'sbx_sla_met',
    help: 'The SLA verdict over the newest 100 valid provisionings: 1 met, 0 breached (absent while there is no data).',
    labelNames: ['sandbox_type'],
    registers,
    async collect() {
      const all = await verdicts();
      this.reset();
      for (const sandbox_type of SANDBOX_TYPES) {
        const status = all[sandbox_type]?.status;
        if (status === 'met' || status === 'breached') this.set({ sandbox_type }, status === 'met' ? 1 : 0);
      }
    },
  });
  const limit = new Gauge({
    name: 'sbx_sla_limit_seconds',
    help: 'The provisioning SLA limit of each sandbox type.',
    labelNames: ['sandbox_type'],
    registers,
  });
  for (const sandbox_type of SANDBOX_TYPES) limit.set({ sandbox_type }, SLA_LIMITS[sandbox_type] / 1000);
}
