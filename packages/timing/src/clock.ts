/** A monotonic clock in milliseconds, used for every duration (never `Date.now()`). */
export interface Clock {
  now(): number;
}

/** A wall clock, used only to timestamp results. */
export interface WallClock {
  now(): Date;
}

// Both read the global at call time, so vitest fake timers that replace `performance` and `Date` control them.
/** The real monotonic clock: `performance.now()`. */
export const systemClock: Clock = { now: () => performance.now() };

/** The real wall clock: `new Date()`. */
export const systemWallClock: WallClock = { now: () => new Date() };
