import type { SandboxProvisioningKPI } from '@sbx/store';
import { PROVISION_SOURCES, SANDBOX_TYPES, type SandboxType, SLA_LIMITS } from '@sbx/timing';

/**
 * Per-type KPI stats over the newest 100 provisions and over all time, of what callers waited for (cold and
 * pool alike; the verdict's rows), and the newest 100 of each source apart (refills included, shown only).
 */
export async function kpiSnapshot(kpis: SandboxProvisioningKPI, only?: SandboxType) {
  const types = await Promise.all(
    (only ? [only] : SANDBOX_TYPES).map(async (type) => {
      const [p95Last100, last100, allTime, phases, ...perSource] = await Promise.all([
        kpis.getP95Latency(type),
        kpis.getStats(type, { window: 100 }),
        kpis.getStats(type, { window: 'all' }),
        kpis.getPhaseBreakdown(type, { window: 100 }),
        ...PROVISION_SOURCES.map((source) => kpis.getStats(type, { window: 100, source })),
      ]);
      const sla = p95Last100 === undefined ? 'no-data' : p95Last100 <= SLA_LIMITS[type] ? 'met' : 'breached';
      const bySource = Object.fromEntries(PROVISION_SOURCES.map((s, i) => [s, perSource[i]]));
      return [
        type,
        { slaLimitMs: SLA_LIMITS[type], sla, p95Last100, last100, allTime, phases, bySource },
      ] as const;
    }),
  );
  return { window: 100, types: Object.fromEntries(types) };
}

/** The snapshot `GET /v1/kpis` and `sbx report` share. */
export type KpiSnapshot = Awaited<ReturnType<typeof kpiSnapshot>>;
