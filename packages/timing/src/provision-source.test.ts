import {
  isProvisionSource,
  isUserFacing,
  PROVISION_SOURCES,
  provisionSourceOf,
  UNJUDGED_SOURCES,
} from '@sbx/timing';
import { describe, expect, it } from 'vitest';

describe('provision sources', () => {
  it('lists cold, pool and refill, and guards them', () => {
    expect(PROVISION_SOURCES).toEqual(['cold', 'pool', 'refill', 'client']);
    expect(isProvisionSource('pool')).toBe(true);
    expect(isProvisionSource('warm')).toBe(false);
    expect(isProvisionSource(undefined)).toBe(false);
  });

  it('reads the source attribute, and a result without one was cold', () => {
    expect(provisionSourceOf({ attributes: { source: 'refill' } })).toBe('refill');
    expect(provisionSourceOf({ attributes: { tenant: 'a' } })).toBe('cold');
    expect(provisionSourceOf({ attributes: { source: 'bogus' } })).toBe('cold');
    expect(provisionSourceOf({})).toBe('cold');
  });

  it('leaves refills and client reports out of what the verdict judges', () => {
    expect(PROVISION_SOURCES.filter(isUserFacing)).toEqual(['cold', 'pool']);
    expect(UNJUDGED_SOURCES).toEqual(['refill', 'client']);
  });
});
