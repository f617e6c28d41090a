import { BootstrapError } from '../errors.js';
import type { FileSystemTree } from './webcontainer-api.js';

/** The page globals a WebContainer needs; injectable so unit tests can play an isolated or a plain page. */
export interface WebContainerGlobals {
  crossOriginIsolated?: boolean;
  SharedArrayBuffer?: unknown;
}

/** What to provision in a WebContainer: files, an optional install and start command, and readiness. */
export interface WebContainerSpec {
  /** Mounted at the working directory (or `mountPoint`) in the `mount` phase; no files, no mount phase. */
  files?: FileSystemTree;
  mountPoint?: string;
  /** Run to completion in the `install` phase, e.g. `['npm', 'install']`; a non-zero exit fails. */
  install?: readonly string[];
  /** Spawned in the `start` phase and left running, e.g. `['npm', 'start']`; implies a `ready` phase. */
  start?: readonly string[];
  /** What `ready` waits for: `server-ready` on any port, or on (or a `port` open event for) `port`. */
  ready?: { port?: number };
  /** Environment of the install and start commands. */
  env?: Record<string, string>;
  /** Passed to `WebContainer.boot()`. */
  workdirName?: string;
  coep?: 'require-corp' | 'credentialless';
}

/** Throws `NOT_CROSS_ORIGIN_ISOLATED` unless the page is cross-origin isolated and has `SharedArrayBuffer`. */
export function assertCrossOriginIsolated(globals: WebContainerGlobals): void {
  if (globals.crossOriginIsolated !== true) {
    throw new BootstrapError(
      'NOT_CROSS_ORIGIN_ISOLATED',
      `this page is not cross-origin isolated (crossOriginIsolated is ${String(globals.crossOriginIsolated)}): ` +
        'serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp',
      { phase: 'preflight' },
    );
  }
  if (typeof globals.SharedArrayBuffer !== 'function') {
    throw new BootstrapError(
      'NOT_CROSS_ORIGIN_ISOLATED',
      'SharedArrayBuffer is not available in this page; a WebContainer needs it (and cross-origin isolation)',
      { phase: 'preflight' },
    );
  }
}

/** Throws `INVALID_SPEC` for a spec the adapter cannot run. */
export function assertValidSpec(spec: WebContainerSpec): void {
  const invalid = (message: string) => new BootstrapError('INVALID_SPEC', message, { phase: 'preflight' });
  if (typeof spec !== 'object' || spec === null) throw invalid('the spec must be an object');
  for (const key of ['install', 'start'] as const) {
    const cmd = spec[key];
    if (cmd === undefined) continue;
    if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((part) => typeof part === 'string')) {
      throw invalid(`${key} must be a non-empty array of strings, e.g. ['npm', '${key}']`);
    }
  }
  const port = spec.ready?.port;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) {
    throw invalid(`ready.port must be an integer from 1 to 65535, got ${String(port)}`);
  }
  if (spec.ready !== undefined && spec.start === undefined) {
    throw invalid('ready needs a start command that starts the server');
  }
}
