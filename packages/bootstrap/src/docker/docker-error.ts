import type { FailureCause } from '@sbx/timing';
import { BootstrapError, type BootstrapErrorCode } from '../errors.js';

/** Where dockerode looks when nothing says otherwise. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

// Errors of the connection to the engine itself, not of what the engine said.
const CONNECTION_ERRORS = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EACCES',
  'EPERM',
]);

/** How to turn one failed engine call into a `BootstrapError`. */
export interface DockerErrorContext {
  /** The code when the engine answered with an error (not 404, not a lost connection). */
  code: BootstrapErrorCode;
  /** What was being done, for the message: `creating container sbx-1f2e`. */
  doing: string;
  engineAddress: string;
  phase?: string;
  /** The code for an HTTP 404 (an image or container that does not exist). */
  notFound?: BootstrapErrorCode;
  /** Whose fault an error with `code` is, when not its code's entry in `BOOTSTRAP_ERROR_CAUSES`. */
  failureCause?: FailureCause;
}

/**
 * Wraps a dockerode failure (kept as `cause`): lost connections become `ENGINE_UNREACHABLE` (retryable), the
 * engine's 400 (invalid argument) `INVALID_SPEC`.
 */
export function wrapDockerError(error: unknown, context: DockerErrorContext): BootstrapError {
  if (error instanceof BootstrapError) return error;
  const phase = context.phase === undefined ? {} : { phase: context.phase };
  const connection = connectionErrorCode(error);
  if (connection !== undefined) return engineUnreachable(error, context.engineAddress, context.phase);
  const status = statusCodeOf(error);
  // 400 is the engine's "invalid argument": the request asked for something it cannot do (a caller's mistake).
  const code =
    status === 404 && context.notFound ? context.notFound : status === 400 ? 'INVALID_SPEC' : context.code;
  return new BootstrapError(code, `${context.doing} failed: ${engineMessage(error)}`, {
    cause: error,
    // The engine is busy or restarting; the same call can succeed later.
    retryable: status === 503 || status === 502 || status === 504,
    ...phase,
    ...(code === context.code && context.failureCause ? { failureCause: context.failureCause } : {}),
  });
}

/** `ENGINE_UNREACHABLE`: where the engine was expected and what to do about it. */
export function engineUnreachable(error: unknown, engineAddress: string, phase?: string): BootstrapError {
  const code = connectionErrorCode(error);
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? `permission denied on ${engineAddress} - add your user to the docker group or set DOCKER_HOST`
      : `Docker engine not reachable at ${engineAddress} - start Docker or set DOCKER_HOST`;
  return new BootstrapError('ENGINE_UNREACHABLE', `${hint} (${engineMessage(error)})`, {
    cause: error,
    retryable: code !== 'EACCES' && code !== 'EPERM',
    ...(phase === undefined ? {} : { phase }),
  });
}

/** The errno-style code of a failed connection (`ECONNREFUSED`, ...), or undefined when the engine answered. */
export function connectionErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code) && statusCodeOf(error) === undefined
    ? code
    : undefined;
}

/** The HTTP status the engine answered with, when it did. */
export function statusCodeOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** True when the engine said the thing does not exist (HTTP 404). */
export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

/** True when the engine refused because the container is gone: 404 `No such container`, 409 `is not running`. */
export function isContainerGone(error: unknown): boolean {
  const status = statusCodeOf(error);
  const message = engineMessage(error);
  return (
    (status === 404 && /no such container/i.test(message)) ||
    (status === 409 && /is not running/i.test(message))
  );
}

/** The engine's own words when it gave some, else the error's message. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  const fromJson = (json as { message?: unknown } | null)?.message;
  if (typeof fromJson === 'string' && fromJson.trim()) return fromJson.trim();
  if (error instanceof Error) return error.message.trim();
  return String(error);
}

/** Where a dockerode client connects, for messages: its socket path or its `protocol://host:port`. */
export function describeEngineAddress(modem: unknown): string {
  const m = (modem ?? {}) as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  if (typeof m.socketPath === 'string' && m.socketPath) return m.socketPath;
  if (typeof m.host === 'string' && m.host) {
    const protocol = typeof m.protocol === 'string' ? m.protocol : 'http';
    return m.port === undefined ? `${protocol}://${m.host}` : `${protocol}://${m.host}:${String(m.port)}`;
  }
  return DEFAULT_DOCKER_SOCKET;
}
