import { describe, expect, it } from 'vitest';
import { MAX_SESSIONS_PER_TENANT, SESSION_TTL_MS, Sessions } from './sessions.js';

describe('Sessions', () => {
  it("one tenant's logins end only its own oldest sessions, never another tenant's", () => {
    const sessions = new Sessions();
    const bobs = [sessions.open('bob'), sessions.open('bob')];
    const first = sessions.open('alice');
    let last = first;
    for (let i = 0; i < 1_000; i++) last = sessions.open('alice');
    for (const bob of bobs) expect(sessions.tenantOf(bob)).toBe('bob');
    expect(sessions.tenantOf(last)).toBe('alice');
    expect(sessions.tenantOf(first)).toBeUndefined();
    expect(sessions.countOf('alice')).toBe(MAX_SESSIONS_PER_TENANT);
    expect(sessions.countOf('bob')).toBe(2);
  });

  it('a login code opens a session once; an expired session is gone', () => {
    let now = 0;
    const sessions = new Sessions(() => now);
    const code = sessions.issueLoginCode('alice');
    const id = sessions.redeem(code) as string;
    expect(sessions.redeem(code)).toBeUndefined();
    expect(sessions.tenantOf(id)).toBe('alice');
    now += SESSION_TTL_MS;
    expect(sessions.tenantOf(id)).toBeUndefined();
    expect(sessions.countOf('alice')).toBe(0);
  });
});
