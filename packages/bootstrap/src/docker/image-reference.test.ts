import { describe, expect, it } from 'vitest';
import { parseImageReference } from './image-reference.js';

describe('parseImageReference', () => {
  it.each([
    ['busybox', { domain: undefined, path: 'busybox', tag: undefined }],
    ['sbx-test/busybox:latest', { path: 'sbx-test/busybox', tag: 'latest' }],
    [
      'localhost:5000/a/b_c.d__e--f:v1.2-rc',
      { domain: 'localhost:5000', path: 'a/b_c.d__e--f', tag: 'v1.2-rc' },
    ],
    ['[::1]:5000/x', { domain: '[::1]:5000', path: 'x' }],
    [`alpine@sha256:${'a'.repeat(64)}`, { path: 'alpine', digest: `sha256:${'a'.repeat(64)}` }],
  ])('accepts %s', (text, parts) => {
    expect(parseImageReference(text)).toMatchObject(parts);
  });

  it.each([
    'a//b',
    '../../etc/passwd',
    './busybox',
    '/busybox',
    'Busybox',
    'busybox:',
    'busybox:-x',
    'a b',
    '',
    `x:${'t'.repeat(129)}`,
    'a/b/',
    'busybox@sha256:short',
  ])('refuses %j with INVALID_SPEC naming the image', (text) => {
    expect(() => parseImageReference(text)).toThrow(expect.objectContaining({ code: 'INVALID_SPEC' }));
  });

  it('refuses a long input at once instead of matching it', () => {
    const hostile = `${'a-'.repeat(20_000)}!`;
    const t0 = performance.now();
    expect(() => parseImageReference(hostile)).toThrow(/longer than 512/);
    expect(() => parseImageReference(`${'a-'.repeat(200)}!`)).toThrow(/not a valid reference/);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
