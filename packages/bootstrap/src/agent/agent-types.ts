import type { FileStat } from '../sandbox-adapter.js';
import { array, bool, int, object, oneOf, optInt, pathField, str } from './agent-fields.js';
import { protocolError } from './frame-codec.js';

type Json = Record<string, unknown>;

/** A file's stat as the agent reports it: `FileStat` plus its absolute path. */
export interface AgentFileStat extends FileStat {
  /** The absolute path inside the sandbox. */
  path: string;
}

/** A directory listing from the agent: absolute paths, depth-first; `truncated` when it stopped at the cap. */
export interface AgentFileList {
  entries: AgentFileStat[];
  truncated: boolean;
}

/** What `hello` answers. */
export interface AgentHello {
  v: number;
  /** `sbx-agent/0.1.0`. */
  agent: string;
  ops: string[];
  /** The agent's pid and uid inside the sandbox. */
  pid: number;
  uid: number;
}

/** One process the agent lists (`ps`). */
export interface AgentProcessInfo {
  pid: number;
  cmd: string[];
  tag: string;
  tty: boolean;
  background: boolean;
  startedAtMs: number;
  running: boolean;
  exitCode?: number;
  signal?: string;
}

/** How a process ended: its exit code (128+N after signal N, then `signal` names it). */
export interface AgentExit {
  exitCode: number;
  signal?: string;
  timedOut?: boolean;
}

/** A change a watch saw; `overflow` when events were dropped (look again). */
export interface WatchEvent {
  type: 'create' | 'write' | 'remove' | 'rename' | 'chmod' | 'overflow';
  path?: string;
  isDir?: boolean;
}

/** The signals the agent sends to a process group. */
export const AGENT_SIGNALS = Object.freeze([
  'SIGTERM',
  'SIGKILL',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const);

/** One signal name the agent accepts. */
export type AgentSignal = (typeof AGENT_SIGNALS)[number];

const FILE_TYPES = ['file', 'directory', 'symlink', 'other'] as const;
const WATCH_TYPES = ['create', 'write', 'remove', 'rename', 'chmod', 'overflow'] as const;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_PID = 2 ** 31 - 1;

/** A validated `AgentFileStat`. */
export function toFileStat(value: unknown): AgentFileStat {
  const json = object(value, 'a stat');
  const linkTarget = json.linkTarget === undefined ? undefined : str(json, 'linkTarget', 4096);
  return {
    name: str(json, 'name', 4096),
    path: pathField(json, 'path'),
    type: oneOf(json, 'type', FILE_TYPES),
    size: int(json, 'size', 0, MAX_SAFE),
    mode: int(json, 'mode', 0, 0o7777),
    mtimeMs: finite(json, 'mtimeMs'),
    ...(linkTarget === undefined ? {} : { linkTarget }),
  };
}

/** A validated `hello` answer. */
export function toHello(json: Json): AgentHello {
  const ops = array(json, 'ops', 64).map((op) => {
    if (typeof op !== 'string' || op.length > 32) throw protocolError('hello ops must be short strings');
    return op;
  });
  return {
    v: int(json, 'v', 1, 1),
    agent: str(json, 'agent', 64),
    ops,
    pid: int(json, 'pid', 1, MAX_PID),
    uid: int(json, 'uid', 0, 2 ** 32 - 1),
  };
}

/** A validated `end` of a process. */
export function toExit(json: Json): AgentExit {
  const signal = json.signal === undefined ? undefined : str(json, 'signal', 16);
  return {
    exitCode: int(json, 'exitCode', -1, 255),
    ...(signal === undefined ? {} : { signal }),
    ...(json.timedOut === undefined ? {} : { timedOut: bool(json, 'timedOut') }),
  };
}

/** A validated `ps` entry. */
export function toProcessInfo(value: unknown): AgentProcessInfo {
  const json = object(value, 'a process');
  const exitCode = optInt(json, 'exitCode', -1, 255);
  const signal = json.signal === undefined ? undefined : str(json, 'signal', 16);
  return {
    pid: int(json, 'pid', 1, MAX_PID),
    cmd: toCmd(json),
    tag: json.tag === undefined ? '' : str(json, 'tag', 256),
    tty: bool(json, 'tty', false),
    background: bool(json, 'background', false),
    startedAtMs: finite(json, 'startedAtMs'),
    running: bool(json, 'running'),
    ...(exitCode === undefined ? {} : { exitCode }),
    ...(signal === undefined ? {} : { signal }),
  };
}

/** A validated command line (`cmd`: at most 4,096 strings). */
export function toCmd(json: Json): string[] {
  return array(json, 'cmd', 4096).map((arg) => {
    if (typeof arg !== 'string') throw protocolError('cmd must hold strings');
    return arg;
  });
}

/** A validated watch event. */
export function toWatchEvent(json: Json): WatchEvent {
  const type = oneOf(json, 'type', WATCH_TYPES);
  if (type === 'overflow') return { type };
  return { type, path: pathField(json, 'path'), isDir: bool(json, 'isDir', false) };
}

function finite(json: Json, key: string): number {
  const value = json[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw protocolError(`field ${key} must be a finite number`);
}
