import { describe, expect, it } from 'vitest';
import { sharedErrorInfo } from './shared-error.js';

describe('sharedErrorInfo', () => {
  it('keeps the code and phase of a failure and drops its message', () => {
    expect(
      sharedErrorInfo({
        name: 'BootstrapError',
        code: 'READINESS_FAILED',
        phase: 'ready',
        message: 'sandbox sbx-1 is exited; last: "API_KEY=sk-1" /var/lib/docker/overlay2/x/merged img:1',
      }),
    ).toEqual({
      name: 'BootstrapError',
      code: 'READINESS_FAILED',
      phase: 'ready',
      message: 'READINESS_FAILED in phase ready',
    });
  });

  it('lets no free text through the code, the name or the phase (a browser row is written by its caller)', () => {
    const planted = 'API_KEY=sk-1 /home/alice';
    const shared = sharedErrorInfo({ name: planted, code: planted, phase: planted, message: planted });
    expect(shared).toEqual({ name: 'Error', message: 'Error' });
    expect(
      JSON.stringify(sharedErrorInfo({ name: 'E', message: 'x', code: 'lower-case code' })),
    ).not.toContain('lower');
  });

  it('is idempotent', () => {
    const once = sharedErrorInfo({ name: 'AgentHostError', code: 'HOST_CLOSING', message: 'detail' });
    expect(sharedErrorInfo(once)).toEqual(once);
    expect(once.message).toBe('HOST_CLOSING');
  });
});
