import { SLA_LIMITS } from '@sbx/timing';

/** Provisioning duration buckets in seconds; the SLA limits (10 s, 30 s) are bucket bounds, so "within SLA" is exact. */
export const PROVISIONING_BUCKETS_S: readonly number[] = Object.freeze(
  [
    ...new Set([
      0.05,
      0.1,
      0.25,
      0.5,
      1,
      2.5,
      5,
      SLA_LIMITS.webcontainer / 1000,
      15,
      SLA_LIMITS.docker / 1000,
      60,
      120,
    ]),
  ].sort((a, b) => a - b),
);

/** Sandbox run duration buckets in seconds; 5 s is the perf monitor's default alert threshold. */
export const RUN_BUCKETS_S: readonly number[] = Object.freeze([
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
]);
