import type { BootstrapErrorCode } from '@sbx/bootstrap';

/** What went wrong in the agent host (CLI, server, composition). */
export type AgentHostErrorCode =
  // a caller's mistake: a flag, an environment variable or a request field
  | 'INVALID_FLAG'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'INVALID_IMAGE'
  | 'POLICY_LIMIT'
  | 'RUNTIME_NOT_FOUND'
  | 'TEMPLATE_NOT_FOUND'
  | 'TOO_MANY_SANDBOXES'
  | 'TOO_MANY_TRANSFERS'
  // a file changed while it was sent (its stated length no longer holds)
  | 'FILE_CHANGED'
  | 'TOO_MANY_CONCURRENT'
  | 'RATE_LIMITED'
  // the in-sandbox agent: a process it does not list, a user it may not switch to, a sandbox without it
  | 'PROCESS_NOT_FOUND'
  | 'AGENT_PERMISSION_DENIED'
  | 'AGENT_UNAVAILABLE'
  // the in-sandbox agent refused a file call: something in the way, a directory, no permission
  | 'FILE_EXISTS'
  | 'NOT_A_DIRECTORY'
  | 'IS_A_DIRECTORY'
  | 'PERMISSION_DENIED'
  | 'READ_ONLY_PATH'
  // a preview port: nothing listens there, or what listens sent no valid HTTP answer
  | 'PORT_CLOSED'
  | 'PORT_FAILED'
  // the host's state
  | 'HOST_CLOSING'
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_GONE'
  | 'UNSUPPORTED_TYPE'
  | 'POOL_NOT_FOUND'
  // a template build that could not run or failed (`sbx template build`)
  | 'TEMPLATE_BUILD_FAILED'
  // a result that was measured but could not be kept
  | 'NOT_RECORDED'
  // the database is unreachable and the spool cannot take more: new provisionings are refused
  | 'STORE_UNAVAILABLE'
  // a route or sandbox type without this feature (logs, files, runtimes)
  | 'NOT_SUPPORTED'
  // a CLI command ended by Ctrl-C, SIGTERM or SIGHUP
  | 'INTERRUPTED'
  // the headless WebContainer driver (`sbx provision webcontainer`)
  | 'INVALID_ARGUMENT'
  | 'PLAYWRIGHT_MISSING'
  | 'CHROMIUM_MISSING'
  | 'PAGE_FAILED'
  | 'RESULT_TIMEOUT'
  | 'RUNTIME_UNREACHABLE';

/** Every code an agent-host caller can see: the host's own and @sbx/bootstrap's (`INTERNAL`: anything else). */
export type ErrorCode = AgentHostErrorCode | BootstrapErrorCode | 'INTERNAL';

/** How a code reaches a caller: the HTTP status of its answer and the exit code of the CLI that ends on it. */
export interface ErrorMapping {
  readonly status: 400 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 500 | 501 | 502 | 503 | 504;
  readonly exit: number;
}

const caller = (status: ErrorMapping['status'], exit = 1): ErrorMapping => ({ status, exit });
const host = (status: ErrorMapping['status']): ErrorMapping => ({ status, exit: 1 });

/**
 * The one table from code to HTTP status and CLI exit code (`satisfies`: a code without a row does not compile).
 * Caller mistakes are 4xx (flags and configuration exit 2), the host's own state 5xx; 502 only where an upstream
 * (the engine, a registry, the browser page) failed.
 */
export const ERROR_CODES = {
  // the caller's mistakes
  INVALID_FLAG: caller(400, 2),
  INVALID_CONFIG: caller(400, 2),
  INVALID_REQUEST: caller(400),
  INVALID_IMAGE: caller(400),
  INVALID_SPEC: caller(400),
  INVALID_ARGUMENT: caller(400),
  // the in-sandbox agent refused a field the host let through (its message says which)
  AGENT_REFUSED: caller(400),
  AGENT_PERMISSION_DENIED: caller(403),
  PERMISSION_DENIED: caller(403),
  POLICY_LIMIT: caller(400),
  // a runtime the engine does not have: the message lists what it has
  RUNTIME_NOT_FOUND: caller(400),
  // an unknown or unbuilt template: the message names the build command
  TEMPLATE_NOT_FOUND: caller(400),
  UNSUPPORTED_TYPE: caller(400),
  SANDBOX_NOT_FOUND: caller(404),
  POOL_NOT_FOUND: caller(404),
  FILE_NOT_FOUND: caller(404),
  PROCESS_NOT_FOUND: caller(404),
  FILE_CHANGED: caller(409),
  READ_ONLY_PATH: caller(409),
  // the sandbox runs without its in-sandbox agent (the feature needs it), or the agent refused the request
  AGENT_UNAVAILABLE: caller(409),
  FILE_EXISTS: caller(409),
  NOT_A_DIRECTORY: caller(409),
  IS_A_DIRECTORY: caller(409),
  DISPOSED: caller(410),
  SANDBOX_GONE: caller(410),
  FILE_TOO_LARGE: caller(413),
  IMAGE_NOT_FOUND: caller(422),
  // the caller's command exited or never passed its readiness check; its own package install failed
  READINESS_FAILED: caller(422),
  // the sandbox's agent broke the protocol: code in the sandbox can replace it, so it is the sandbox's own failure
  AGENT_PROTOCOL: caller(422),
  INSTALL_FAILED: caller(422),
  ALREADY_BOOTED: caller(422),
  TOO_MANY_SANDBOXES: caller(429),
  TOO_MANY_TRANSFERS: caller(429),
  TOO_MANY_CONCURRENT: caller(429),
  RATE_LIMITED: caller(429),
  // Ctrl-C: 130 as a shell reports SIGINT
  INTERRUPTED: caller(503, 130),
  // the host's own state
  INTERNAL: host(500),
  NOT_RECORDED: host(500),
  TEMPLATE_BUILD_FAILED: host(500),
  PLAYWRIGHT_MISSING: host(500),
  CHROMIUM_MISSING: host(500),
  NOT_CROSS_ORIGIN_ISOLATED: host(500),
  NOT_SUPPORTED: host(501),
  HOST_CLOSING: host(503),
  STORE_UNAVAILABLE: host(503),
  ENGINE_UNREACHABLE: host(503),
  POOL_CLOSED: host(503),
  ABORTED: host(503),
  // an upstream failed: the engine, a registry, the browser page
  PULL_FAILED: host(502),
  CREATE_FAILED: host(502),
  START_FAILED: host(502),
  ENGINE_ERROR: host(502),
  EXEC_FAILED: host(502),
  FILE_FAILED: host(502),
  PAGE_FAILED: host(502),
  RUNTIME_UNREACHABLE: host(502),
  MOUNT_FAILED: host(502),
  // a preview port: nothing listens on the sandbox's loopback there, or it sent no valid HTTP answer
  PORT_CLOSED: host(502),
  PORT_FAILED: host(502),
  DEADLINE_EXCEEDED: host(504),
  READINESS_TIMEOUT: host(504),
  EXEC_TIMEOUT: host(504),
  RESULT_TIMEOUT: host(504),
} as const satisfies Record<ErrorCode, ErrorMapping>;

/** The mapping of `code`; a code this host does not know (a newer package's) is an internal error, a 500. */
export function errorMapping(code: string): ErrorMapping {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : ERROR_CODES.INTERNAL;
}
