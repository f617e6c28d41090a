import type { SandboxProvisioningKPI } from '@sbx/store';
import { SANDBOX_TYPES, type SandboxType, SLA_LIMITS } from '@sbx/timing';

/** Per-type KPI stats over the newest 100 provisions and over all time. */
export async function kpiSnapshot(kpis: SandboxProvisioningKPI, only?: SandboxType) {
  const types = await Promise.all(
    (only ? [only] : SANDBOX_TYPES).map(async (type) => {
      const [p95Last100, last100, allTime, phases] = await Promise.all([
        kpis.getP95Latency(type),
        kpis.getStats(type, { window: 100 }),
        kpis.getStats(type, { window: 'all' }),
        kpis.getPhaseBreakdown(type, { window: 100 }),
      ]);
      const sla = p95Last100 === undefined ? 'no-data' : p95Last100 <= SLA_LIMITS[type] ? 'met' : 'breached';
      return [type, { slaLimitMs: SLA_LIMITS[type], sla, p95Last100, last100, allTime, phases }] as const;
    }),
  );
  return { window: 100, types: Object.fromEntries(types) };
}

/** The snapshot `GET /v1/kpis` and `sbx report` share. */
export type KpiSnapshot = Awaited<ReturnType<typeof kpiSnapshot>>;
