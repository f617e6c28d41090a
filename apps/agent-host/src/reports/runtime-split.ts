import type { ProvisioningStats, RowScope, SandboxProvisioningKPI } from '@sbx/store';
import { type SandboxType, SLA_WINDOW } from '@sbx/timing';
import { type JsonStats, type JsonVerdict, jsonStats, jsonVerdict } from './json-safe.js';

/** One engine runtime's figures in a type's snapshot: its own SLA window, judged by the one verdict. */
export interface RuntimeKpis {
  /** Its provisionings all time, cancelled ones included (from the rollups). */
  provisionings: number;
  /** The verdict's status over the runtime's newest 100 valid provisionings. */
  sla: JsonVerdict['status'];
  verdict: JsonVerdict;
  /** `getP95Latency()` of the runtime's newest 100 rows (failures with the time they took). */
  p95Last100: number | undefined;
  /** Stats of the runtime's newest 100 valid provisionings. */
  last100: JsonStats;
}

/** The window's figures of `type` within `scope`: stats of its newest 100 valid provisionings, and `getP95Latency()`. */
export type WindowFigures = [last100: ProvisioningStats, p95Last100: number | undefined];

/** Reads the window's figures of `type` within `scope`. */
export function windowFigures(
  kpis: SandboxProvisioningKPI,
  type: SandboxType,
  scope: RowScope,
): Promise<WindowFigures> {
  return Promise.all([
    kpis.getStats(type, { window: SLA_WINDOW, ...scope }),
    kpis.getP95Latency(type, scope),
  ]);
}

/**
 * The per-runtime split of a type within `scope`: one entry per runtime that has rows, keyed by its name, most
 * provisionings first. Rows recorded without a runtime (webcontainers, rows from before runtimes were kept) are
 * under no key: they count only in the type's own figures. With `scope.runtime` the split holds that runtime alone,
 * whose figures are the type's own (`own`, read once by the caller).
 */
export async function runtimeSplit(
  kpis: SandboxProvisioningKPI,
  type: SandboxType,
  scope: RowScope,
  own: Promise<WindowFigures>,
): Promise<Record<string, RuntimeKpis>> {
  const listed = await kpis.listRuntimes(type, { host: scope.host });
  const runtimes = listed.filter((r) => scope.runtime === undefined || r.runtime === scope.runtime);
  const entries = await Promise.all(
    runtimes.map(async ({ runtime, provisionings }) => {
      const [last100, p95Last100] = await (runtime === scope.runtime
        ? own
        : windowFigures(kpis, type, { ...scope, runtime }));
      const entry: RuntimeKpis = {
        provisionings,
        sla: last100.verdict.status,
        verdict: jsonVerdict(last100.verdict),
        p95Last100,
        last100: jsonStats(last100),
      };
      return [runtime, entry] as const;
    }),
  );
  return Object.fromEntries(entries);
}
