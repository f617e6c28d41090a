import { BootstrapError } from '../errors.js';
import { compileLogPattern } from './log-pattern.js';

/**
 * When a Docker sandbox counts as ready. `tcp` and `http` are checked from inside the container (with
 * `NetworkMode: none` the host cannot reach its ports): `tcp` reads `/proc/net/tcp{,6}` with `cat` for a
 * listening socket, `http` runs `wget` (busybox or GNU) or else `curl` against `http://127.0.0.1:PORT/PATH`.
 */
export type ReadinessProbe = (
  | { kind: 'running' }
  | { kind: 'log'; pattern: RegExp | string }
  | { kind: 'exec'; cmd: string[] }
  | { kind: 'tcp'; port: number }
  | { kind: 'http'; port: number; path: string }
  | { kind: 'healthcheck' }
) & {
  /** Pause between two attempts of a polling probe (exec, tcp, http, healthcheck); default 100 ms. */
  intervalMs?: number;
};

/** The probe used when a spec names none: the container is running. */
export const DEFAULT_READINESS_PROBE: ReadinessProbe = Object.freeze({ kind: 'running' });

const USAGE = 'use log:REGEX, exec:CMD, port:N, http:PATH, http:PORT/PATH, running or healthcheck';
// Characters that need a shell to mean what the user meant.
const SHELL_SYNTAX = /["'`$|&;<>()\\*?[\]{}~#!]/;

/**
 * Parses a probe from a CLI flag: `log:REGEX`, `exec:CMD` (split on spaces, or run with `sh -c` when it
 * uses shell syntax), `port:N` (alias `tcp:N`), `http:PATH` (port 80) or `http:PORT/PATH`, `running`,
 * `healthcheck`. Throws `BootstrapError('INVALID_SPEC')` saying what is accepted.
 */
export function parseReadinessProbe(text: string): ReadinessProbe {
  const trimmed = String(text ?? '').trim();
  const colon = trimmed.indexOf(':');
  const kind = (colon === -1 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const arg = colon === -1 ? undefined : trimmed.slice(colon + 1);
  const fail = (why: string): never => {
    throw new BootstrapError('INVALID_SPEC', `readiness probe ${JSON.stringify(text)}: ${why}; ${USAGE}`);
  };
  const noArgument = (probe: ReadinessProbe): ReadinessProbe =>
    arg === undefined ? probe : fail(`${kind} takes no argument`);
  switch (kind) {
    case 'running':
      return noArgument({ kind: 'running' });
    case 'healthcheck':
      return noArgument({ kind: 'healthcheck' });
    case 'log':
      if (!arg) return fail('log needs a regular expression');
      validatePattern(arg, fail);
      return { kind: 'log', pattern: arg };
    case 'exec': {
      const cmd = arg?.trim();
      if (!cmd) return fail('exec needs a command');
      return { kind: 'exec', cmd: SHELL_SYNTAX.test(cmd) ? ['sh', '-c', cmd] : cmd.split(/\s+/) };
    }
    case 'port':
    case 'tcp':
      return { kind: 'tcp', port: parsePort(arg, fail) };
    case 'http':
      return parseHttp(arg, fail);
    default:
      return fail(trimmed === '' ? 'empty' : `unknown kind ${JSON.stringify(kind)}`);
  }
}

/** Checks a probe given as an object (from code or JSON) and throws `INVALID_SPEC` when it cannot work. */
export function validateReadinessProbe(probe: ReadinessProbe): ReadinessProbe {
  const fail = (why: string): never => {
    throw new BootstrapError('INVALID_SPEC', `readiness probe ${JSON.stringify(probe)}: ${why}`);
  };
  if (probe === null || typeof probe !== 'object') return fail('must be an object with a kind');
  if (probe.intervalMs !== undefined && !(probe.intervalMs >= 0 && Number.isFinite(probe.intervalMs))) {
    fail('intervalMs must be a non-negative number');
  }
  switch (probe.kind) {
    case 'running':
    case 'healthcheck':
      return probe;
    case 'log':
      validatePattern(probe.pattern, fail);
      return probe;
    case 'exec':
      if (
        !Array.isArray(probe.cmd) ||
        probe.cmd.length === 0 ||
        probe.cmd.some((a) => typeof a !== 'string')
      ) {
        fail('cmd must be a non-empty array of strings');
      }
      return probe;
    case 'tcp':
      parsePort(String(probe.port), fail);
      return probe;
    case 'http':
      parsePort(String(probe.port), fail);
      if (typeof probe.path !== 'string' || !probe.path.startsWith('/')) fail('path must start with /');
      return probe;
    default:
      return fail(`unknown kind; ${USAGE}`);
  }
}

function validatePattern(pattern: unknown, fail: (why: string) => never): void {
  if (!(pattern instanceof RegExp) && (typeof pattern !== 'string' || pattern === '')) {
    fail('log pattern must be a non-empty string or RegExp');
  }
  try {
    compileLogPattern(pattern as RegExp | string);
  } catch (error) {
    fail(`invalid log pattern: ${(error as Error).message}`);
  }
}

function parsePort(arg: string | undefined, fail: (why: string) => never): number {
  const port = /^\d{1,5}$/.test(arg ?? '') ? Number(arg) : Number.NaN;
  return port >= 1 && port <= 65_535 ? port : fail(`port must be an integer from 1 to 65535, got ${arg}`);
}

function parseHttp(arg: string | undefined, fail: (why: string) => never): ReadinessProbe {
  if (!arg) return fail('http needs a path (http:/health) or a port and path (http:8080/health)');
  if (arg.startsWith('/')) return { kind: 'http', port: 80, path: arg };
  const match = /^(\d+)(\/.*)?$/.exec(arg);
  if (!match) return fail('http takes PATH (starting with /) or PORT/PATH');
  return { kind: 'http', port: parsePort(match[1], fail), path: match[2] ?? '/' };
}
