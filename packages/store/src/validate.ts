import { isSandboxType, SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { StoreError } from './errors.js';

/** Throws `INVALID_INPUT` naming `field`. */
export function invalid(field: string, problem: string): never {
  throw new StoreError('INVALID_INPUT', `${field} ${problem}`, { field });
}

/** `value` as a finite number >= 0, or `INVALID_INPUT` naming `field`. */
export function nonNegativeFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(field, `must be a finite number >= 0, got ${describe(value)}`);
  }
  return value;
}

/** `value` as a string, or `INVALID_INPUT` naming `field`; `nonEmpty` also refuses `''`. */
export function string(value: unknown, field: string, nonEmpty = false): string {
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
    invalid(field, `must be a ${nonEmpty ? 'non-empty ' : ''}string, got ${describe(value)}`);
  }
  // PostgreSQL text cannot hold U+0000; both engines store U+FFFD in its place, so they give back the same text.
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** `value` as a known sandbox type, or `INVALID_INPUT` naming `field`. */
export function sandboxType(value: unknown, field = 'sandboxType'): SandboxType {
  if (!isSandboxType(value))
    invalid(field, `must be one of ${SANDBOX_TYPES.join(', ')}, got ${describe(value)}`);
  return value;
}

// ISO strings sort as time only with four-digit years; toISOString() gives "+010000-..." past 9999.
const MIN_TIME_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** `value` as ISO 8601 UTC text for a valid `Date` within years 0000-9999, or `INVALID_INPUT` naming `field`. */
export function isoDate(value: unknown, field: string): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    invalid(field, `must be a valid Date, got ${describe(value)}`);
  }
  const time = value.getTime();
  if (time > MAX_TIME_MS || time < MIN_TIME_MS) invalid(field, 'must be between the years 0000 and 9999');
  return value.toISOString();
}

/** A window option: a positive integer, or `'all'` when `allowAll`; `INVALID_INPUT` naming `window` otherwise. */
export function windowSize(value: unknown, fallback: number, allowAll: true): number | 'all';
export function windowSize(value: unknown, fallback: number, allowAll: false): number;
export function windowSize(value: unknown, fallback: number, allowAll: boolean): number | 'all' {
  if (value === undefined) return fallback;
  if (allowAll && value === 'all') return 'all';
  return positiveInteger(value, 'window', allowAll ? " or 'all'" : '');
}

/** `value` as a positive safe integer, or `INVALID_INPUT` naming `field`. */
export function positiveInteger(value: unknown, field: string, orElse = ''): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    invalid(field, `must be a positive integer${orElse}, got ${describe(value)}`);
  }
  return value;
}

/** A short, safe rendering of a refused value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
