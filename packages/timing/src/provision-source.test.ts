import { isProvisionSource, isUserFacing, PROVISION_SOURCES, provisionSourceOf } from '@sbx/timing';
import { describe, expect, it } from 'vitest';

describe('provision sources', () => {
  it('lists cold, pool and refill, and guards them', () => {
    expect(PROVISION_SOURCES).toEqual(['cold', 'pool', 'refill']);
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

  it('leaves refills out of what callers waited for', () => {
    expect(PROVISION_SOURCES.filter(isUserFacing)).toEqual(['cold', 'pool']);
  });
});
