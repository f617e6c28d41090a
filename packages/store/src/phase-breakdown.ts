import { quantileSorted } from '@sbx/timing';
import type { PhaseStats } from './provisioning-stats.js';

/** One stored phase, as the breakdown reads it. */
export interface PhaseSample {
  name: string;
  seq: number;
  start_ms: number;
  duration_ms: number;
}

interface Group {
  durations: number[];
  startSum: number;
  seqSum: number;
}

/**
 * Per-phase count, mean, nearest-rank p50/p95 and max over `samples`, in typical order: by mean start offset,
 * then mean position, then name.
 */
export function phaseBreakdown(samples: readonly PhaseSample[]): PhaseStats[] {
  const groups = new Map<string, Group>();
  for (const s of samples) {
    let group = groups.get(s.name);
    if (!group) {
      group = { durations: [], startSum: 0, seqSum: 0 };
      groups.set(s.name, group);
    }
    group.durations.push(s.duration_ms);
    group.startSum += s.start_ms;
    group.seqSum += s.seq;
  }
  return [...groups]
    .map(([phase, g]) => {
      const sorted = g.durations.sort((a, b) => a - b);
      const count = sorted.length;
      return {
        stats: {
          phase,
          count,
          meanMs: sorted.reduce((sum, d) => sum + d, 0) / count,
          p50Ms: quantileSorted(sorted, 0.5) as number,
          p95Ms: quantileSorted(sorted, 0.95) as number,
          maxMs: sorted[count - 1] as number,
          meanStartMs: g.startSum / count,
        },
        meanSeq: g.seqSum / count,
      };
    })
    .sort(
      (a, b) =>
        a.stats.meanStartMs - b.stats.meanStartMs ||
        a.meanSeq - b.meanSeq ||
        (a.stats.phase < b.stats.phase ? -1 : a.stats.phase > b.stats.phase ? 1 : 0),
    )
    .map((entry) => entry.stats);
}
