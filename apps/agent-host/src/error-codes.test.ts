import { BOOTSTRAP_ERROR_CAUSES, BootstrapError, type BootstrapErrorCode } from '@sbx/bootstrap';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, type ErrorMapping, errorMapping } from './error-codes.js';
import { AgentHostError, type AgentHostErrorCode } from './errors.js';
import { toHttpError } from './http/http-errors.js';

const HOST_CODES = Object.keys(ERROR_CODES).filter(
  (code) => !(code in BOOTSTRAP_ERROR_CAUSES) && code !== 'INTERNAL',
) as AgentHostErrorCode[];
const BOOTSTRAP_CODES = Object.keys(BOOTSTRAP_ERROR_CAUSES) as BootstrapErrorCode[];

describe('the one error table', () => {
  it('has a row for every code of @sbx/bootstrap (a new code without one does not compile)', () => {
    for (const code of BOOTSTRAP_CODES) expect(ERROR_CODES).toHaveProperty(code);
    // @ts-expect-error a table without a row for every code is a compile error
    const missing: Record<ErrorCode, ErrorMapping> = { INVALID_FLAG: { status: 400, exit: 2 } };
    expect(missing).toBeDefined();
  });

  it.each(HOST_CODES)('answers %s over HTTP and in the CLI as its row says', (code) => {
    const error = new AgentHostError(code, 'what went wrong');
    expect(toHttpError(error).status).toBe(ERROR_CODES[code].status);
    expect(toHttpError(error).body.error.code).toBe(code);
    expect(error.exitCode).toBe(ERROR_CODES[code].exit);
  });

  it.each(BOOTSTRAP_CODES)('answers the bootstrap code %s over HTTP as its row says', (code) => {
    expect(toHttpError(new BootstrapError(code, 'what went wrong')).status).toBe(ERROR_CODES[code].status);
  });

  it('no longer answers 502 for codes that are not an upstream failure (they fell through before)', () => {
    const statuses = Object.fromEntries(
      (
        [
          'READINESS_FAILED',
          'ABORTED',
          'INSTALL_FAILED',
          'ALREADY_BOOTED',
          'NOT_CROSS_ORIGIN_ISOLATED',
        ] as const
      ).map((code) => [code, toHttpError(new BootstrapError(code, 'x')).status]),
    );
    expect(statuses).toEqual({
      READINESS_FAILED: 422,
      ABORTED: 503,
      INSTALL_FAILED: 422,
      ALREADY_BOOTED: 422,
      NOT_CROSS_ORIGIN_ISOLATED: 500,
    });
    for (const code of ['INVALID_FLAG', 'INVALID_CONFIG', 'TEMPLATE_BUILD_FAILED'] as const) {
      expect(toHttpError(new AgentHostError(code, 'x')).status).not.toBe(502);
    }
  });

  it("answers 502 only for an upstream (engine, registry, browser page, a preview port's server) and never for a caller-caused code", () => {
    const gateway = Object.entries(ERROR_CODES)
      .filter(([, row]) => row.status === 502)
      .map(([code]) => code)
      .sort();
    expect(gateway).toEqual([
      'CREATE_FAILED',
      'ENGINE_ERROR',
      'EXEC_FAILED',
      'FILE_FAILED',
      'MOUNT_FAILED',
      'PAGE_FAILED',
      'PORT_CLOSED',
      'PORT_FAILED',
      'PULL_FAILED',
      'RUNTIME_UNREACHABLE',
      'START_FAILED',
    ]);
    for (const code of BOOTSTRAP_CODES) {
      if (BOOTSTRAP_ERROR_CAUSES[code] === 'caller') expect(ERROR_CODES[code].status, code).not.toBe(502);
    }
  });

  it('exits 2 for flag and configuration mistakes, 130 for a signal, 1 otherwise; an explicit exit code wins', () => {
    expect(new AgentHostError('INVALID_FLAG', 'x').exitCode).toBe(2);
    expect(new AgentHostError('INVALID_CONFIG', 'x').exitCode).toBe(2);
    expect(new AgentHostError('INTERRUPTED', 'x').exitCode).toBe(130);
    expect(new AgentHostError('POLICY_LIMIT', 'x').exitCode).toBe(1);
    expect(new AgentHostError('POLICY_LIMIT', 'x', { exitCode: 3 }).exitCode).toBe(3);
  });

  it('treats an unknown code (a newer package) and an error without one as internal: 500, exit 1', () => {
    expect(errorMapping('SOMETHING_NEW')).toEqual({ status: 500, exit: 1 });
    expect(errorMapping('toString')).toEqual({ status: 500, exit: 1 });
    expect(toHttpError(new Error('boom'))).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
  });
});
