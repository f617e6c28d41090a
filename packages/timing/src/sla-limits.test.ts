import { isDeadlineAbort, isSandboxType, SANDBOX_TYPE_TABLE, SANDBOX_TYPES, SLA_LIMITS } from '@sbx/timing';
import { describe, expect, it } from 'vitest';
import { deadlineReason } from './deadline.js';

describe('the sandbox type table', () => {
  it('is where the type list, the guard and the SLA limits come from', () => {
    expect(SANDBOX_TYPES).toEqual(Object.keys(SANDBOX_TYPE_TABLE));
    for (const type of SANDBOX_TYPES) {
      expect(SLA_LIMITS[type]).toBe(SANDBOX_TYPE_TABLE[type].slaLimitMs);
      expect(isSandboxType(type)).toBe(true);
    }
    expect(Object.isFrozen(SANDBOX_TYPE_TABLE)).toBe(true);
    expect(Object.isFrozen(SANDBOX_TYPES)).toBe(true);
  });

  it('refuses names that are not entries, inherited properties included', () => {
    for (const value of ['toString', 'constructor', '__proto__', 'Docker', '', undefined, 1, null]) {
      expect(isSandboxType(value)).toBe(false);
    }
  });
});

describe('isDeadlineAbort', () => {
  it('tells a deadline from a caller giving up', () => {
    expect(isDeadlineAbort(deadlineReason(5))).toBe(true);
    expect(isDeadlineAbort(AbortSignal.timeout(0).reason ?? deadlineReason(1))).toBe(true);
    expect(isDeadlineAbort(new Error('interrupted by SIGINT'))).toBe(false);
    expect(isDeadlineAbort(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isDeadlineAbort(undefined)).toBe(false);
    expect(isDeadlineAbort(null)).toBe(false);
  });
});
