import { describe, expect, it } from 'vitest';
import { resolvePolicy } from './sandbox-policy.js';

describe('the registry allow-list', () => {
  it('is empty by default: no image is pulled', () => {
    expect(resolvePolicy({}, {}, 2).allowedRegistries).toEqual([]);
  });

  it('comes from --allow-registry (repeatable), which wins over SBX_ALLOW_REGISTRIES (a comma list)', () => {
    expect(
      resolvePolicy({}, { SBX_ALLOW_REGISTRIES: ' Registry.Internal:5000 , default,' }, 2).allowedRegistries,
    ).toEqual(['registry.internal:5000', 'default']);
    expect(
      resolvePolicy(
        { allowedRegistries: ['localhost:5000', '[::1]:5000'] },
        { SBX_ALLOW_REGISTRIES: 'default' },
        2,
      ).allowedRegistries,
    ).toEqual(['localhost:5000', '[::1]:5000']);
  });

  it.each([
    'https://registry.internal',
    'registry.internal/path',
    'a b',
    'host:port',
    '-bad.host',
    'x'.repeat(300),
  ])('refuses %s, saying what a registry is', (bad) => {
    expect(() => resolvePolicy({ allowedRegistries: [bad] }, {}, 2)).toThrow(
      expect.objectContaining({
        code: 'INVALID_FLAG',
        message: expect.stringMatching(/^--allow-registry: .* is not a registry: give host\[:port\]/),
      }),
    );
    expect(() => resolvePolicy({}, { SBX_ALLOW_REGISTRIES: bad }, 2)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/^SBX_ALLOW_REGISTRIES: /),
      }),
    );
  });
});
