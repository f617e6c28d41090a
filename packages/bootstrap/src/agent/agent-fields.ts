// Every value the agent sends is untrusted (code in the sandbox can replace the agent): each field is checked
// for its type and range before the host uses it, and a wrong one is `AGENT_PROTOCOL`.
import { BootstrapError } from '../errors.js';
import { protocolError } from './frame-codec.js';

type Json = Record<string, unknown>;

/** The agent's error codes (PROTOCOL.md "Errors"). */
export const AGENT_ERROR_CODES = Object.freeze([
  'BAD_REQUEST',
  'UNSUPPORTED_VERSION',
  'UNKNOWN_OP',
  'NOT_FOUND',
  'EXISTS',
  'NOT_A_DIRECTORY',
  'IS_A_DIRECTORY',
  'PERMISSION_DENIED',
  'READ_ONLY',
  'LIMIT',
  'CONNECTION_REFUSED',
  'INTERNAL',
] as const);

/** One error code of the agent. */
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

const MAX_MESSAGE = 1024;
const MAX_PATH = 4096;

/** An integer field within `[min, max]`. */
export function int(json: Json, key: string, min: number, max: number): number {
  const value = json[key];
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw protocolError(`field ${key} must be an integer in ${min}..${max}`);
}

/** An optional integer field within `[min, max]`. */
export function optInt(json: Json, key: string, min: number, max: number): number | undefined {
  return json[key] === undefined ? undefined : int(json, key, min, max);
}

/** A string field of at most `max` characters (an absolute path when `path`). */
export function str(json: Json, key: string, max: number, path = false): string {
  const value = json[key];
  if (typeof value !== 'string' || value.length > max || (path && !value.startsWith('/'))) {
    throw protocolError(`field ${key} must be ${path ? 'an absolute path' : 'a string'} of at most ${max}`);
  }
  return value;
}

/** A path field: absolute, at most 4,096 characters. */
export function pathField(json: Json, key: string): string {
  return str(json, key, MAX_PATH, true);
}

/** A boolean field (`undefined` reads as `fallback` when given). */
export function bool(json: Json, key: string, fallback?: boolean): boolean {
  const value = json[key] ?? fallback;
  if (typeof value === 'boolean') return value;
  throw protocolError(`field ${key} must be a boolean`);
}

/** A field that must be one of `choices`. */
export function oneOf<T extends string>(json: Json, key: string, choices: readonly T[]): T {
  const value = json[key];
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw protocolError(`field ${key} must be one of ${choices.join(', ')}`);
}

/** An array field of at most `max` items. */
export function array(json: Json, key: string, max: number): unknown[] {
  const value = json[key];
  if (Array.isArray(value) && value.length <= max) return value;
  throw protocolError(`field ${key} must be an array of at most ${max} items`);
}

/** An object (not an array, not null). */
export function object(value: unknown, what: string): Json {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Json;
  throw protocolError(`${what} must be an object`);
}

/** Text from the agent made safe to put in a message: at most 1 KiB, no control characters. */
export function safeText(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  let out = '';
  for (const char of text.slice(0, MAX_MESSAGE)) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return out;
}

/** How an `error` frame's `NOT_FOUND` reads for the operation that got it. */
export type NotFoundAs = 'FILE_NOT_FOUND' | 'PROCESS_NOT_FOUND' | 'AGENT_REFUSED';

/**
 * The `BootstrapError` of an agent's `error` frame: `NOT_FOUND` becomes `notFound`, everything else
 * `AGENT_REFUSED` with the agent's `agentCode` (an `INTERNAL` one is the platform's). The agent's message is
 * kept (bounded, control characters removed) after what the host was doing.
 */
export function agentError(json: Json, doing: string, notFound: NotFoundAs): BootstrapError {
  const code = oneOf(json, 'code', AGENT_ERROR_CODES);
  const message = safeText(json.message);
  const text = `${doing}: ${code}${message ? ` (${message})` : ''}`;
  return new BootstrapError(code === 'NOT_FOUND' ? notFound : 'AGENT_REFUSED', text, {
    agentCode: code,
    ...(code === 'INTERNAL' ? { failureCause: 'platform' as const } : {}),
  });
}
