import { RE2JS } from 're2js';

/** The longest prefix of a line a log pattern is matched against (a longer line is matched on its start). */
export const MAX_MATCHED_LINE_CHARS = 64 * 1024;
/** The longest pattern accepted. */
export const MAX_PATTERN_CHARS = 1_000;

/** A compiled log pattern: matches in time linear in the line, whatever the pattern (RE2 semantics). */
export interface LogPattern {
  test(line: string): boolean;
  /** The pattern as written, for messages. */
  readonly source: string;
}

/**
 * Compiles a log readiness pattern with a linear-time engine (RE2, as re2js), so no pattern a caller sends
 * can backtrack for seconds on the event loop: `(a+)+$` costs the same as `a+$`. RE2 has no backreferences
 * and no lookaround; such a pattern throws with the engine's reason. A `RegExp` keeps its `i`, `m` and `s`.
 */
export function compileLogPattern(pattern: RegExp | string): LogPattern {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  if (source.length === 0) throw new Error('log pattern must not be empty');
  if (source.length > MAX_PATTERN_CHARS)
    throw new Error(`log pattern longer than ${MAX_PATTERN_CHARS} characters`);
  let flags = 0;
  if (typeof pattern !== 'string') {
    if (pattern.flags.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
    if (pattern.flags.includes('m')) flags |= RE2JS.MULTILINE;
    if (pattern.flags.includes('s')) flags |= RE2JS.DOTALL;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags);
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (log patterns use RE2 syntax: no backreferences or lookaround)`,
    );
  }
  return {
    source: `/${source}/`,
    test: (line) =>
      re.test(line.length > MAX_MATCHED_LINE_CHARS ? line.slice(0, MAX_MATCHED_LINE_CHARS) : line),
  };
}
