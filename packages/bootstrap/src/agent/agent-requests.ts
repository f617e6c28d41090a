// What the host sends is checked before it leaves: a caller's mistake is `INVALID_SPEC` here, with what to fix,
// rather than the agent's terse `BAD_REQUEST`.
import { BootstrapError } from '../errors.js';
import { type AgentFrame, type FrameKind, jsonPayload, protocolError } from './frame-codec.js';

/** Options of a process started through the agent (`SandboxAgent.start`). */
export interface StartOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** `name`, `uid` or `uid:gid`. */
  user?: string;
  /** Runs on a new terminal of this size (output merged into stdout). */
  tty?: { cols: number; rows: number };
  /** Keeps the process's stdin open for `sendStdin()`; without it stdin is /dev/null. */
  stdin?: boolean;
  /** Default true: the process outlives the handle and its output is kept for `attach`. */
  background?: boolean;
  /** A label `ps` shows (at most 256 bytes). */
  tag?: string;
  signal?: AbortSignal;
}

const invalid = (why: string) => new BootstrapError('INVALID_SPEC', why, { phase: 'exec' });

/** The argv of `cmd` (a string runs with `sh -c`), checked. */
export function checkCmd(cmd: string | readonly string[]): string[] {
  const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : [...cmd];
  if (
    argv.length === 0 ||
    argv.length > 4096 ||
    argv.some((arg) => typeof arg !== 'string' || arg.includes('\0'))
  ) {
    throw invalid('exec needs a non-empty command of at most 4096 strings without NUL bytes');
  }
  if (argv[0] === '') throw invalid('exec needs a non-empty command name');
  return argv;
}

/** An absolute path inside the sandbox (at most 4,096 bytes, no NUL), checked. */
export function checkPath(path: string): string {
  if (
    typeof path !== 'string' ||
    !path.startsWith('/') ||
    path.includes('\0') ||
    Buffer.byteLength(path) > 4096
  ) {
    throw new BootstrapError(
      'INVALID_SPEC',
      `path must be absolute, at most 4096 bytes, without NUL: ${JSON.stringify(String(path).slice(0, 200))}`,
    );
  }
  return path;
}

/** A pid, checked. */
export function checkPid(pid: number): number {
  if (Number.isInteger(pid) && pid >= 1 && pid < 2 ** 31) return pid;
  throw new BootstrapError('INVALID_SPEC', `pid must be a positive integer, got ${pid}`);
}

/** The `open` parameters of a `run`. */
export function runParams(argv: string[], options: Omit<StartOptions, 'signal'>): Record<string, unknown> {
  const env = options.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (!/^[^=\0]+$/.test(key) || typeof value !== 'string' || value.includes('\0')) {
      throw invalid(`env ${JSON.stringify(key)} is not NAME=string`);
    }
  }
  if (Object.keys(env).length > 1024) throw invalid('env may hold at most 1024 variables');
  if (options.cwd !== undefined) checkPath(options.cwd);
  if (options.tag !== undefined && Buffer.byteLength(options.tag) > 256)
    throw invalid('tag is over 256 bytes');
  return {
    cmd: argv,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...user(options),
    ...(options.tty ? { tty: { cols: options.tty.cols, rows: options.tty.rows } } : {}),
    ...(options.stdin ? { stdin: true } : {}),
    ...(options.background ? { background: true } : {}),
    ...(options.tag ? { tag: options.tag } : {}),
  };
}

/** `{ user }` when one is given and well formed. */
export function user(options: { user?: string | undefined }): { user?: string } {
  if (options.user === undefined) return {};
  if (!/^[A-Za-z0-9_.-]{1,64}(?::[A-Za-z0-9_.-]{1,64})?$/.test(options.user)) {
    throw invalid(`user must be NAME, UID or UID:GID, got ${JSON.stringify(options.user)}`);
  }
  return { user: options.user };
}

/** `depth` and `maxEntries` of a `list`, checked. */
export function limits(options: { depth?: number; maxEntries?: number }): Record<string, number> {
  const out: Record<string, number> = {};
  if (options.depth !== undefined) {
    if (!(Number.isInteger(options.depth) && options.depth >= 1 && options.depth <= 16)) {
      throw invalid(`depth must be an integer in 1..16, got ${options.depth}`);
    }
    out.depth = options.depth;
  }
  if (options.maxEntries !== undefined) {
    if (!(Number.isInteger(options.maxEntries) && options.maxEntries >= 1 && options.maxEntries <= 10_000)) {
      throw invalid(`maxEntries must be an integer in 1..10000, got ${options.maxEntries}`);
    }
    out.maxEntries = options.maxEntries;
  }
  return out;
}

/** `offset` and `length` of a `read`, checked. */
export function readRange(options: { offset?: number; length?: number }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ['offset', 'length'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!(Number.isSafeInteger(value) && value >= 0))
      throw invalid(`${key} must be a whole number, got ${value}`);
    out[key] = value;
  }
  return out;
}

/** The JSON of a frame that must be of `kind`. */
export function jsonOfFrame(
  frame: AgentFrame | { kind: number; payload: Uint8Array },
  kind: FrameKind,
  maxBytes?: number,
) {
  if (frame.kind !== kind) throw protocolError(`expected frame kind ${kind}, got ${frame.kind}`);
  return jsonPayload(frame as AgentFrame, maxBytes);
}

/** The JSON of an `event` payload. */
export function jsonOf(payload: Uint8Array): Record<string, unknown> {
  return jsonPayload({ kind: 8, payload });
}
