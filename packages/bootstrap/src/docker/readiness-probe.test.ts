import { BootstrapError, parseReadinessProbe, type ReadinessProbe } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import { validateReadinessProbe } from './readiness-probe.js';

describe('parseReadinessProbe', () => {
  it.each([
    ['running', { kind: 'running' }],
    ['  Running ', { kind: 'running' }],
    ['healthcheck', { kind: 'healthcheck' }],
    ['log:listening on \\d+', { kind: 'log', pattern: 'listening on \\d+' }],
    ['log:a:b', { kind: 'log', pattern: 'a:b' }],
    ['exec:test -f /tmp/ready', { kind: 'exec', cmd: ['test', '-f', '/tmp/ready'] }],
    ['exec:pg_isready   -h 127.0.0.1', { kind: 'exec', cmd: ['pg_isready', '-h', '127.0.0.1'] }],
    [
      'exec:test -f /tmp/a && test -f /tmp/b',
      { kind: 'exec', cmd: ['sh', '-c', 'test -f /tmp/a && test -f /tmp/b'] },
    ],
    ["exec:grep -q 'up' /tmp/state", { kind: 'exec', cmd: ['sh', '-c', "grep -q 'up' /tmp/state"] }],
    ['exec:echo $HOME', { kind: 'exec', cmd: ['sh', '-c', 'echo $HOME'] }],
    ['port:8080', { kind: 'tcp', port: 8080 }],
    ['tcp:22', { kind: 'tcp', port: 22 }],
    ['http:/health', { kind: 'http', port: 80, path: '/health' }],
    ['http:8080/health?deep=1', { kind: 'http', port: 8080, path: '/health?deep=1' }],
    ['http:3000', { kind: 'http', port: 3000, path: '/' }],
  ] satisfies Array<[string, ReadinessProbe]>)('%j -> %j', (text, probe) => {
    expect(parseReadinessProbe(text)).toEqual(probe);
  });

  it.each([
    ['', /empty/],
    ['ready', /unknown kind "ready"/],
    ['log:', /log needs a regular expression/],
    ['log:([', /invalid log pattern/],
    ['exec:   ', /exec needs a command/],
    ['port:0', /port must be an integer from 1 to 65535, got 0/],
    ['port:65536', /got 65536/],
    ['port:http', /got http/],
    ['port:', /port must be/],
    ['http:', /http needs a path/],
    ['http:health', /PATH \(starting with \/\) or PORT\/PATH/],
    ['running:yes', /running takes no argument/],
  ])('rejects %j with INVALID_SPEC saying why and what is accepted', (text, why) => {
    const error = catchError(() => parseReadinessProbe(text));
    expect(error).toBeInstanceOf(BootstrapError);
    expect(error).toMatchObject({ code: 'INVALID_SPEC', retryable: false });
    expect(error.message).toMatch(why);
    expect(error.message).toContain(
      'use log:REGEX, exec:CMD, port:N, http:PATH, http:PORT/PATH, running or healthcheck',
    );
  });
});

describe('validateReadinessProbe', () => {
  it('accepts every well-formed kind', () => {
    const probes: ReadinessProbe[] = [
      { kind: 'running' },
      { kind: 'log', pattern: /ready/g },
      { kind: 'exec', cmd: ['true'], intervalMs: 0 },
      { kind: 'tcp', port: 1 },
      { kind: 'http', port: 65_535, path: '/' },
      { kind: 'healthcheck', intervalMs: 50 },
    ];
    for (const probe of probes) expect(validateReadinessProbe(probe)).toBe(probe);
  });

  it.each([
    [{ kind: 'exec', cmd: [] }, /cmd must be a non-empty array/],
    [{ kind: 'tcp', port: 0 }, /port must be/],
    [{ kind: 'http', port: 80, path: 'health' }, /path must start with \//],
    [{ kind: 'log', pattern: '(' }, /invalid log pattern/],
    [{ kind: 'running', intervalMs: -1 }, /intervalMs/],
    [{ kind: 'nope' }, /unknown kind/],
  ])('rejects %j', (probe, why) => {
    const error = catchError(() => validateReadinessProbe(probe as ReadinessProbe));
    expect(error).toMatchObject({ code: 'INVALID_SPEC' });
    expect(error.message).toMatch(why);
  });
});

function catchError(fn: () => unknown): BootstrapError {
  try {
    fn();
  } catch (error) {
    return error as BootstrapError;
  }
  throw new Error('expected a throw');
}
