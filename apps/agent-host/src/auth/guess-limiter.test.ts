import { describe, expect, it } from 'vitest';
import { clientKey, GuessLimiter } from './guess-limiter.js';

describe('GuessLimiter', () => {
  it('refuses a client after its failures, for the time its bucket takes to refill, and no other', () => {
    let now = 0;
    const limiter = new GuessLimiter({ perMinute: 10, now: () => now });
    for (let i = 0; i < 10; i++) {
      expect(limiter.retryAfter('10.0.0.1')).toBe(0);
      limiter.fail('10.0.0.1');
    }
    expect(limiter.retryAfter('10.0.0.1')).toBe(6);
    expect(limiter.retryAfter('10.0.0.2')).toBe(0);
    now += 6_000;
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    limiter.fail('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBeGreaterThan(0);
    now += 60_000;
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    expect(limiter.size).toBe(0); // a full bucket is forgotten
  });

  it('remembers a bounded number of clients however many addresses fail', () => {
    const limiter = new GuessLimiter({ perMinute: 1, maxClients: 100, now: () => 0 });
    for (let i = 0; i < 20_000; i++) limiter.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.size).toBe(100);
    expect(limiter.retryAfter('10.0.78.31')).toBeGreaterThan(0); // the newest is kept
  });

  it('counts an IPv6 /64 as one client and an IPv4-mapped address as its IPv4 one', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    const limiter = new GuessLimiter({ perMinute: 1, now: () => 0 });
    limiter.fail('2001:db8:1:2::1');
    expect(limiter.retryAfter('2001:db8:1:2::99')).toBeGreaterThan(0);
  });
});
