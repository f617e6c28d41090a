// Numbers read from untrusted tar bytes. Every one is checked (digits only, a safe integer, in range) before it
// can drive a loop: `Number.parseInt('9', 8)` is NaN, and a NaN size once made the parser spin for ever.
import { BootstrapError } from '../../errors.js';

/** The largest entry size a header or PAX record may state (the callers' byte caps are far below it). */
export const MAX_TAR_NUMBER = Number.MAX_SAFE_INTEGER;

/** A malformed archive: the caller's input (`INVALID_SPEC`, a 400 through the host). */
export function badTar(what: string): BootstrapError {
  return new BootstrapError('INVALID_SPEC', `not a valid tar archive: ${what}`);
}

/**
 * Reads a numeric header field: octal digits (leading spaces, trailing NULs or spaces allowed, empty is 0) or
 * GNU base-256 (first byte 0x80, big-endian); a negative base-256 value, any other character, or a value above
 * `max` is refused with `INVALID_SPEC` naming the field.
 */
export function headerNumber(field: Uint8Array, name: string, max = MAX_TAR_NUMBER): number {
  const first = field[0] ?? 0;
  if (first === 0xff) throw badTar(`header field ${name} is negative`);
  if (first === 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + (field[i] ?? 0);
      if (value > max) throw badTar(`header field ${name} is above ${max}`);
    }
    return value;
  }
  const text = Buffer.from(field.buffer, field.byteOffset, field.byteLength).toString('latin1');
  const match = /^ *([0-7]*)[ \0]*$/.exec(text);
  if (!match) throw badTar(`header field ${name} is not an octal number (${JSON.stringify(text)})`);
  const digits = match[1] ?? '';
  const value = digits === '' ? 0 : Number.parseInt(digits, 8);
  if (!Number.isSafeInteger(value) || value > max) throw badTar(`header field ${name} is above ${max}`);
  return value;
}

// PAX keys that hold numbers: whole ones, and times (seconds with an optional fraction).
const PAX_WHOLE = new Set(['size', 'uid', 'gid']);
const PAX_TIME = new Set(['mtime', 'atime', 'ctime']);

/**
 * Checks a PAX record's value when its key is numeric (`size`, `uid`, `gid`: a whole decimal up to
 * `MAX_TAR_NUMBER`; `mtime`, `atime`, `ctime`: decimal seconds); throws `INVALID_SPEC` otherwise.
 */
export function checkPaxNumber(key: string, value: string): void {
  if (PAX_WHOLE.has(key)) {
    if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw badTar(`PAX ${key}=${JSON.stringify(value.slice(0, 40))} is not a whole number`);
    }
  } else if (PAX_TIME.has(key) && !/^-?\d{1,15}(\.\d{1,9})?$/.test(value)) {
    throw badTar(`PAX ${key}=${JSON.stringify(value.slice(0, 40))} is not a time in seconds`);
  }
}

/**
 * Parses the records of a PAX header body (`LEN key=value\n` ...): each length is decimal, covers its whole
 * record and ends on its newline, and each numeric value is checked; anything else throws `INVALID_SPEC`.
 */
export function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(32, offset);
    const digits = space === -1 ? '' : body.subarray(offset, space).toString('latin1');
    if (!/^\d{1,9}$/.test(digits)) throw badTar('a PAX record has no decimal length');
    const length = Number(digits);
    const end = offset + length;
    if (end <= space + 1 || end > body.length || body[end - 1] !== 10) {
      throw badTar(`a PAX record's length ${length} does not match its text`);
    }
    const record = body.subarray(space + 1, end - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw badTar('a PAX record has no key=value');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    checkPaxNumber(key, value);
    records[key] = value;
    offset = end;
  }
  return records;
}
