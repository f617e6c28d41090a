import type { RowScope, SandboxProvisioningKPI } from '@sbx/store';
import { PROVISION_SOURCES, SANDBOX_TYPES, type SandboxType, SLA_LIMITS, SLA_WINDOW } from '@sbx/timing';
import { jsonMs, jsonStats, jsonVerdict } from './json-safe.js';
import { runtimeSplit, windowFigures } from './runtime-split.js';
import { slaTrend, type TrendPoint } from './sla-trend.js';

/** Rounds to whole microseconds: plenty for a chart, and a third of the bytes of a full double. */
const microseconds = (ms: number) => (Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : ms);

/**
 * The trend as columns, oldest first (what a chart takes, and a third of the bytes of one object per point):
 * start times as epoch milliseconds, durations and P95s to the microsecond.
 */
function trendColumns(points: readonly TrendPoint[]) {
  const oldestFirst = [...points].reverse();
  return {
    timestamps: oldestFirst.map((p) => p.timestamp.getTime()),
    durationsMs: oldestFirst.map((p) => microseconds(p.durationMs)),
    failed: oldestFirst.map((p) => p.failed),
    p95Ms: oldestFirst.map((p) => jsonMs(microseconds(p.p95Ms))),
  };
}

/** How many of the window's newest failures the snapshot lists. */
const LATEST_FAILURES = 3;

const HOUR_MS = 3_600_000;
/** The UTC hour `now` is in (`YYYY-MM-DDTHH`): the hourly figures move on with it. */
const hourOf = (now: number) => new Date(now).toISOString().slice(0, 13);

/** True when `scope` narrows the fleet's snapshot (to one host, one runtime or both). */
const isScoped = (scope: RowScope) => scope.host !== undefined || scope.runtime !== undefined;

/** A scope with only the keys that are set (the store's reads take `{}` as the fleet's, every runtime's). */
function defined(scope: RowScope): RowScope {
  const out: RowScope = {};
  if (scope.host !== undefined) out.host = scope.host;
  if (scope.runtime !== undefined) out.runtime = scope.runtime;
  return out;
}

async function typeSnapshot(kpis: SandboxProvisioningKPI, type: SandboxType, now: number, scope: RowScope) {
  const own = windowFigures(kpis, type, scope);
  const [byRuntime, [last100, p95Last100], allTime, last24h, phases, rows, ...perSource] = await Promise.all([
    runtimeSplit(kpis, type, scope, own),
    own,
    // All-time and hourly figures come from the rollups, kept per host: the fleet's or one host's alike.
    kpis.getStats(type, { window: 'all', ...scope }),
    kpis.getStats(type, { since: new Date(now - 24 * HOUR_MS), ...scope }),
    kpis.getPhaseBreakdown(type, { window: SLA_WINDOW, ...scope }),
    kpis.listSlaWindow(type, { size: 2 * SLA_WINDOW - 1, ...scope }),
    // Each source apart (refills included, shown only): what a warm pool buys.
    ...PROVISION_SOURCES.map((source) => kpis.getStats(type, { window: SLA_WINDOW, source, ...scope })),
  ]);
  const { verdict } = last100;
  return {
    slaLimitMs: SLA_LIMITS[type],
    /** The verdict's status, and why when breached. */
    sla: verdict.status,
    slaReason: verdict.reason ?? null,
    verdict: jsonVerdict(verdict),
    /** `getP95Latency()`: the raw P95 of the newest 100 rows (failures with the time they took), kept for scripts. */
    p95Last100,
    last100: jsonStats(last100),
    allTime: jsonStats(allTime),
    /** The whole UTC hours since the one 24 hours ago, from the rollups (quantiles within 1%). */
    last24h: jsonStats(last24h),
    phases,
    /** The newest 100 of each source (`cold`, `pool`, `refill`) apart; the verdict counts cold and pool alike. */
    bySource: Object.fromEntries(
      PROVISION_SOURCES.map((s, i) => [s, perSource[i] && jsonStats(perSource[i])]),
    ),
    /**
     * Each engine runtime that has rows, by name: its own newest 100 and verdict. Rows without a runtime
     * (webcontainers, older rows) are under no key.
     */
    byRuntime,
    /** The verdict's window in time order, with the P95 at each provisioning: the dashboard's charts. */
    trend: trendColumns(slaTrend(rows, SLA_LIMITS[type])),
    latestFailures: rows
      .filter((r) => r.failed)
      .slice(0, LATEST_FAILURES)
      .map((r) => ({ timestamp: r.timestamp, error: r.error })),
  };
}

/** The KPIs of one sandbox type in the snapshot. */
export type TypeKpis = Awaited<ReturnType<typeof typeSnapshot>>;

async function compute(
  kpis: SandboxProvisioningKPI,
  only?: SandboxType,
  scope: RowScope = {},
  now = Date.now(),
) {
  const [runtimes, types] = await Promise.all([
    kpis.listRuntimes(only, { host: scope.host }),
    Promise.all(
      (only ? [only] : SANDBOX_TYPES).map(
        async (type) => [type, await typeSnapshot(kpis, type, now, defined(scope))] as const,
      ),
    ),
  ]);
  // One window for every card, chart and verdict: the newest 100 valid (not cancelled) provisionings.
  return {
    window: SLA_WINDOW,
    host: scope.host ?? 'fleet',
    /** The one engine runtime the snapshot is narrowed to; `null`: every runtime (and rows without one). */
    runtime: scope.runtime ?? null,
    /** The runtimes recorded (of the host, when narrowed to one; not narrowed by `runtime`): what a picker offers. */
    runtimes,
    types: Object.fromEntries(types) as Partial<Record<SandboxType, TypeKpis>>,
  };
}

/** The snapshot `GET /v1/kpis` and `sbx report` share (JSON-ready: a P95 that is a failure reads `+Inf`). */
export type KpiSnapshot = Awaited<ReturnType<typeof compute>>;

interface Cached {
  version: string;
  snapshot: Promise<KpiSnapshot>;
  body?: Promise<Uint8Array<ArrayBuffer>>;
}
const cache = new WeakMap<SandboxProvisioningKPI, Cached>();

/** The cache entry for the database as it is now: the same one until anything is written. */
async function current(kpis: SandboxProvisioningKPI): Promise<Cached> {
  // A new hour changes the last 24 hours even when nothing was written.
  const version = `${await kpis.dataVersion()}@${hourOf(Date.now())}`;
  const cached = cache.get(kpis);
  if (cached?.version === version) return cached;
  const entry: Cached = { version, snapshot: compute(kpis) };
  cache.set(kpis, entry);
  entry.snapshot.catch(() => {
    if (cache.get(kpis) === entry) cache.delete(kpis);
  });
  return entry;
}

/**
 * Per-type KPIs: the SLA verdict and its window, stats over the window, all time and the last 24 hours, phases, the
 * split by source and by engine runtime; of the fleet, or narrowed to one agent host (`scope.host`) and/or one
 * engine runtime (`scope.runtime`). Every read is O(window); the fleet's full snapshot is also cached until the
 * database changes (`dataVersion()`), and callers that arrive while it is computed share the one computation, so
 * pollers cost almost nothing between writes.
 */
export async function kpiSnapshot(
  kpis: SandboxProvisioningKPI,
  only?: SandboxType,
  scope: RowScope = {},
): Promise<KpiSnapshot> {
  if (only || isScoped(scope)) return compute(kpis, only, scope);
  return (await current(kpis)).snapshot;
}

/**
 * `kpiSnapshot(kpis)` as the UTF-8 JSON body `GET /v1/kpis` sends, serialized and encoded once per change of the
 * data: pollers between two writes cost a version check and a socket write.
 */
export async function kpiSnapshotBody(
  kpis: SandboxProvisioningKPI,
  scope: RowScope = {},
): Promise<Uint8Array<ArrayBuffer>> {
  // A narrowed view (one host, one runtime) is not cached: the fleet's is what pollers ask for.
  if (isScoped(scope)) return new TextEncoder().encode(JSON.stringify(await compute(kpis, undefined, scope)));
  const entry = await current(kpis);
  entry.body ??= entry.snapshot.then((snapshot) => new TextEncoder().encode(JSON.stringify(snapshot)));
  return entry.body;
}

/** The headers of a JSON body sent as bytes. */
export const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' } as const;
