import { SANDBOX_TYPES, SLA_LIMITS } from '@sbx/timing';

/** Provisioning histogram bounds per decade: consecutive bounds differ by 10^(1/30), about 1.08. */
export const BUCKETS_PER_DECADE = 30;
/** Lowest and highest provisioning bucket bounds: 0.1 ms (warm pools) to 126 s (past twice the docker SLA). */
const LOWEST_EXPONENT = -4 * BUCKETS_PER_DECADE;
const HIGHEST_EXPONENT = Math.ceil(Math.log10(120) * BUCKETS_PER_DECADE);

/**
 * Provisioning (and phase) duration buckets in seconds: 30 log-spaced bounds per decade from 0.0001 to 126, so
 * `histogram_quantile()` lands in the bucket of the exact nearest-rank value and is within 8.4% of it (the widest
 * ratio after rounding to 3 digits) anywhere from 1 ms to 60 s. Every SLA limit is a bound too, so "within the
 * SLA" is an exact bucket count.
 */
export const PROVISIONING_BUCKETS_S: readonly number[] = Object.freeze(
  [
    ...new Set([
      ...Array.from({ length: HIGHEST_EXPONENT - LOWEST_EXPONENT + 1 }, (_, i) =>
        Number((10 ** ((LOWEST_EXPONENT + i) / BUCKETS_PER_DECADE)).toPrecision(3)),
      ),
      ...SANDBOX_TYPES.map((type) => SLA_LIMITS[type] / 1000),
    ]),
  ].sort((a, b) => a - b),
);

/** Sandbox run duration buckets in seconds; 5 s is the perf monitor's default alert threshold. */
export const RUN_BUCKETS_S: readonly number[] = Object.freeze([
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
]);
