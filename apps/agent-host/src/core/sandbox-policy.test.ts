import { describe, expect, it } from 'vitest';
import { resolvePolicy } from './sandbox-policy.js';

describe('the isolation settings of the policy', () => {
  it("allow only the engine's default runtime and no network by default", () => {
    expect(resolvePolicy({}, {}, 2)).toMatchObject({ allowedRuntimes: [], allowNetwork: false });
  });

  it('take runtimes from --allow-runtime (repeatable) over SBX_ALLOW_RUNTIMES (a comma list), and egress from either', () => {
    const env = { SBX_ALLOW_RUNTIMES: 'runsc, kata ,,', SBX_ALLOW_NETWORK: '1' };
    expect(resolvePolicy({}, env, 2)).toMatchObject({
      allowedRuntimes: ['runsc', 'kata'],
      allowNetwork: true,
    });
    expect(resolvePolicy({ allowedRuntimes: ['runsc', 'runsc'], allowNetwork: true }, {}, 2)).toMatchObject({
      allowedRuntimes: ['runsc'],
      allowNetwork: true,
    });
    expect(resolvePolicy({ allowedRuntimes: ['kata'] }, env, 2).allowedRuntimes).toEqual(['kata']);
    expect(resolvePolicy({}, { SBX_ALLOW_NETWORK: 'yes' }, 2).allowNetwork).toBe(false);
  });

  it('refuse a runtime that is no runtime name, naming the flag or the variable', () => {
    expect(() => resolvePolicy({ allowedRuntimes: ['run sc'] }, {}, 2)).toThrow(
      expect.objectContaining({
        code: 'INVALID_FLAG',
        message: expect.stringMatching(/^--allow-runtime: "run sc"/),
      }),
    );
    expect(() => resolvePolicy({}, { SBX_ALLOW_RUNTIMES: 'runsc,/bin/sh' }, 2)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/^SBX_ALLOW_RUNTIMES: "\/bin\/sh"/),
      }),
    );
  });
});
