import { BootstrapError } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import { describeEngineAddress, wrapDockerError } from './docker-error.js';
import { connectionError, httpError } from './fake/fake-docker.js';

const context = {
  code: 'CREATE_FAILED',
  doing: 'creating container sbx-1',
  engineAddress: '/var/run/docker.sock',
  phase: 'create',
} as const;

describe('wrapDockerError', () => {
  it.each(['ENOENT', 'ECONNREFUSED', 'ECONNRESET'])(
    'maps %s on the socket to a retryable ENGINE_UNREACHABLE naming the address and what to do',
    (code) => {
      const cause = connectionError(code);
      const error = wrapDockerError(cause, context);
      expect(error).toBeInstanceOf(BootstrapError);
      expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', retryable: true, phase: 'create', cause });
      expect(error.message).toBe(
        `Docker engine not reachable at /var/run/docker.sock - start Docker or set DOCKER_HOST (connect ${code} /var/run/docker.sock)`,
      );
    },
  );

  it('says to join the docker group when the socket refuses permission, and that retrying will not help', () => {
    const error = wrapDockerError(connectionError('EACCES'), context);
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE', retryable: false });
    expect(error.message).toMatch(
      /^permission denied on \/var\/run\/docker.sock - add your user to the docker group/,
    );
  });

  it('uses the notFound code for a 404, with the engine words', () => {
    const cause = httpError(404, 'No such image: nope:latest');
    const error = wrapDockerError(cause, { ...context, notFound: 'IMAGE_NOT_FOUND' });
    expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND', retryable: false, cause });
    expect(error.message).toBe('creating container sbx-1 failed: No such image: nope:latest');
  });

  it('uses the context code for other engine answers; only 502/503/504 are retryable', () => {
    expect(wrapDockerError(httpError(500, 'boom'), context)).toMatchObject({
      code: 'CREATE_FAILED',
      retryable: false,
    });
    expect(wrapDockerError(httpError(404, 'gone'), context)).toMatchObject({ code: 'CREATE_FAILED' });
    expect(wrapDockerError(httpError(503, 'busy'), context)).toMatchObject({
      code: 'CREATE_FAILED',
      retryable: true,
    });
  });

  it('passes a BootstrapError through untouched', () => {
    const original = new BootstrapError('INVALID_SPEC', 'bad');
    expect(wrapDockerError(original, context)).toBe(original);
  });
});

describe('describeEngineAddress', () => {
  it.each([
    [{ socketPath: '/run/user/1000/docker.sock' }, '/run/user/1000/docker.sock'],
    [{ host: '10.0.0.5', port: '2376', protocol: 'https' }, 'https://10.0.0.5:2376'],
    [{ host: 'docker', port: 2375 }, 'http://docker:2375'],
    [undefined, '/var/run/docker.sock'],
  ])('%j -> %s', (modem, address) => {
    expect(describeEngineAddress(modem)).toBe(address);
  });
});

describe('an engine that refuses the request as invalid', () => {
  it('is INVALID_SPEC (the caller asked for something impossible), not an engine failure', () => {
    const error = wrapDockerError(httpError(400, 'Minimum memory limit allowed is 6MB'), {
      code: 'CREATE_FAILED',
      doing: 'creating container sbx-1',
      engineAddress: '/var/run/docker.sock',
    });
    expect(error).toMatchObject({ code: 'INVALID_SPEC', retryable: false });
    expect(error.message).toContain('Minimum memory limit allowed is 6MB');
  });
});
