import { InvalidArgumentError } from 'commander';

/** The most sandboxes one `sbx provision` may ask for. */
export const MAX_COUNT = 100_000;

/**
 * A strict whole-number flag: decimal digits only (`1e9`, `0x10`, `1.5`, ` 7` are refused), within
 * `min`..`max`; the message names the flag and what is allowed.
 */
export function wholeNumber(flag: string, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}) {
  const allowed = `${flag} must be a whole number from ${min} to ${max}`;
  return (text: string): number => {
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${allowed}, got ${JSON.stringify(text)}`);
    const value = Number(text);
    if (value < min || value > max) throw new InvalidArgumentError(`${allowed}, got ${text}`);
    return value;
  };
}

/** A repeatable `KEY=VALUE` flag collected into a record. */
export function envPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(0, eq))) {
    throw new InvalidArgumentError(
      `expected KEY=VALUE with KEY a variable name, got ${JSON.stringify(value)}`,
    );
  }
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** A repeatable string flag collected into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
