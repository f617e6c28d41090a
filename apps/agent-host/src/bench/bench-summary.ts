import { quantile } from '@sbx/timing';
import type { BenchRequest, BenchRun } from './bench-types.js';

/** Quantiles of one set of durations. */
export interface Spread {
  n: number;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
}

/** One row of the summary: what was asked, how the host answered, how long it took. */
export interface SourceSummary {
  label: string;
  server: Spread;
  roundTrip: Spread;
  /** Answers per second over the time those requests were in flight. */
  throughputPerS: number | undefined;
}

/** One target and whether this run met it. */
export interface TargetCheck {
  name: string;
  value: number | undefined;
  unit: 'ms' | 'x' | '%' | '';
  limit: string;
  met: boolean;
}

/** The figures `sbx bench` prints and the report shows. */
export interface BenchSummary {
  rows: SourceSummary[];
  hits: number;
  misses: number;
  hitRate: number | undefined;
  /** Cold p50 over pool-hit p50, server side (each accepted -> answered, KPI row written). */
  coldPoolP50Ratio: number | undefined;
  /** The same, by the client's round trips. */
  coldPoolRoundTripRatio: number | undefined;
  targets: TargetCheck[];
}

/** The server-side targets of a pool hit, the ratio to cold, and the burst and steady figures. */
export const TARGETS = Object.freeze({
  hitServerP95Ms: 2,
  hitRoundTripP95Ms: 10,
  coldPoolP50Ratio: 50,
  burstRefillBackMs: 2_000,
  steadyHitRate: 0.95,
});

/** Summarizes a run: per source quantiles and throughput, hit rate, and each target this mode measures. */
export function summarize(run: BenchRun): BenchSummary {
  const ok = run.requests.filter((r) => r.status === 201);
  const cold = ok.filter((r) => r.kind === 'cold');
  const hits = ok.filter((r) => r.kind === 'pool' && r.source === 'pool');
  const misses = ok.filter((r) => r.kind === 'pool' && r.source === 'cold');
  const asked = run.requests.filter((r) => r.kind === 'pool').length;
  const rows = [
    row('cold (POST type)', cold, run),
    row('pool: hits', hits, run),
    row('pool: misses', misses, run),
    {
      label: 'refill (background)',
      server: spread(run.refills.filter((r) => !r.failed).map((r) => r.durationMs)),
      roundTrip: spread([]),
      throughputPerS: undefined,
    },
  ];
  const ratio = p50Ratio(rows[0]?.server, rows[1]?.server);
  const tripRatio = p50Ratio(rows[0]?.roundTrip, rows[1]?.roundTrip);
  const hitRate = asked === 0 ? undefined : hits.length / asked;
  const targets: TargetCheck[] = [];
  const hitServer = rows[1]?.server.p95Ms;
  const hitTrip = rows[1]?.roundTrip.p95Ms;
  // Hand-out latency is judged under ordinary load (one at a time, or arriving at the refill rate), not while
  // a burst or a block of concurrent requests queues on the host; those modes print it.
  const judged = run.mode === 'sequential' || run.mode === 'steady';
  if (judged && hits.length > 0) {
    targets.push(
      check(
        'pool hit, server-side p95',
        hitServer,
        'ms',
        `<= ${TARGETS.hitServerP95Ms} ms`,
        (v) => v <= TARGETS.hitServerP95Ms,
      ),
    );
    targets.push(
      check(
        'pool hit, HTTP round trip p95',
        hitTrip,
        'ms',
        `<= ${TARGETS.hitRoundTripP95Ms} ms`,
        (v) => v <= TARGETS.hitRoundTripP95Ms,
      ),
    );
  }
  if (judged && cold.length > 0 && hits.length > 0) {
    const enough = (v: number) => v >= TARGETS.coldPoolP50Ratio;
    targets.push(
      check('cold / pool hit p50, server side', ratio, 'x', `>= ${TARGETS.coldPoolP50Ratio}`, enough),
    );
    targets.push(
      check('cold / pool hit p50, round trip', tripRatio, 'x', `>= ${TARGETS.coldPoolP50Ratio}`, enough),
    );
  }
  if (run.burst) targets.push(...burstChecks(run));
  if (run.mode === 'steady') {
    targets.push(
      check(
        'steady load, hit rate',
        hitRate === undefined ? undefined : hitRate * 100,
        '%',
        `>= ${TARGETS.steadyHitRate * 100} %`,
        (v) => v >= TARGETS.steadyHitRate * 100,
      ),
    );
  }
  targets.push(check('container ids handed out twice', run.reused, '', '= 0', (v) => v === 0));
  targets.push(check('containers left after close', run.leaked, '', '= 0', (v) => v === 0));
  return {
    rows,
    hits: hits.length,
    misses: misses.length,
    hitRate,
    coldPoolP50Ratio: ratio,
    coldPoolRoundTripRatio: tripRatio,
    targets,
  };
}

function p50Ratio(cold: Spread | undefined, hit: Spread | undefined): number | undefined {
  return cold?.p50Ms !== undefined && hit?.p50Ms ? cold.p50Ms / hit.p50Ms : undefined;
}

function burstChecks(run: BenchRun): TargetCheck[] {
  const b = run.burst;
  if (!b) return [];
  const expectedHits = Math.min(b.count, run.poolSize);
  return [
    check(`burst of ${b.count}: hits`, b.hits, '', `= ${expectedHits}`, (v) => v === expectedHits),
    check(
      `burst of ${b.count}: misses`,
      b.misses,
      '',
      `= ${b.count - expectedHits}`,
      (v) => v === b.count - expectedHits,
    ),
    check(`burst of ${b.count}: every sandbox ready`, b.allReady ? 1 : 0, '', '= 1 (yes)', (v) => v === 1),
    check(
      'burst: pool full again',
      b.refillBackMs,
      'ms',
      `<= ${TARGETS.burstRefillBackMs} ms`,
      (v) => v <= TARGETS.burstRefillBackMs,
    ),
  ];
}

/** A target checked: met when the value was measured and `ok` says so. */
export function check(
  name: string,
  value: number | undefined,
  unit: TargetCheck['unit'],
  limit: string,
  ok: (value: number) => boolean,
): TargetCheck {
  return { name, value, unit, limit, met: value !== undefined && ok(value) };
}

function row(label: string, requests: BenchRequest[], run: BenchRun): SourceSummary {
  return {
    label,
    server: spread(requests.map((r) => r.serverMs)),
    roundTrip: spread(requests.map((r) => r.roundTripMs)),
    throughputPerS: throughput(requests, run),
  };
}

/** Quantiles of `values`. */
export function spread(values: readonly number[]): Spread {
  return {
    n: values.length,
    p50Ms: quantile(values, 0.5),
    p95Ms: quantile(values, 0.95),
    p99Ms: quantile(values, 0.99),
  };
}

// Sequential requests: one after the other, so per second of their own time; otherwise over the span in flight.
function throughput(requests: readonly BenchRequest[], run: BenchRun): number | undefined {
  if (requests.length === 0) return undefined;
  if (run.mode === 'sequential')
    return (requests.length * 1000) / requests.reduce((s, r) => s + r.roundTripMs, 0);
  const start = Math.min(...requests.map((r) => r.atMs));
  const end = Math.max(...requests.map((r) => r.atMs + r.roundTripMs));
  return end > start ? (requests.length * 1000) / (end - start) : undefined;
}
