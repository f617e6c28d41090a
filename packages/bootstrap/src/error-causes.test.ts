import { BOOTSTRAP_ERROR_CAUSES, BootstrapError, type BootstrapErrorCode } from '@sbx/bootstrap';
import { describeError } from '@sbx/timing';
import { describe, expect, it } from 'vitest';

describe('the cause of each bootstrap error code', () => {
  it("gives every code a cause, and an error carries its code's cause to the provisioner's record", () => {
    const codes = Object.keys(BOOTSTRAP_ERROR_CAUSES) as BootstrapErrorCode[];
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      const error = new BootstrapError(code, 'x');
      expect(['platform', 'caller']).toContain(error.failureCause);
      expect(error.failureCause).toBe(BOOTSTRAP_ERROR_CAUSES[code]);
      expect(describeError(error)).toMatchObject({ code, cause: BOOTSTRAP_ERROR_CAUSES[code] });
    }
  });

  it('blames the caller for what it asked for, the platform for what the host and engine did', () => {
    const caller: BootstrapErrorCode[] = [
      'IMAGE_NOT_FOUND',
      'INVALID_SPEC',
      'READINESS_FAILED',
      'RUNTIME_NOT_FOUND',
    ];
    const platform: BootstrapErrorCode[] = [
      'ENGINE_UNREACHABLE',
      'DEADLINE_EXCEEDED',
      'PULL_FAILED',
      'CREATE_FAILED',
      'START_FAILED',
      'ENGINE_ERROR',
    ];
    for (const code of caller) expect(BOOTSTRAP_ERROR_CAUSES[code], code).toBe('caller');
    for (const code of platform) expect(BOOTSTRAP_ERROR_CAUSES[code], code).toBe('platform');
  });

  it('lets a thrower that knows better override one error (an OOM kill during ready is the platform)', () => {
    const oom = new BootstrapError('READINESS_FAILED', 'killed', { failureCause: 'platform' });
    expect(oom.failureCause).toBe('platform');
    expect(describeError(oom).cause).toBe('platform');
  });
});
