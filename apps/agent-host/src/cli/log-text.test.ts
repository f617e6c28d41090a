import { describe, expect, it } from 'vitest';
import { cliLogger } from './cli-io.js';
import { logText } from './log-text.js';

const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
  '\u2028',
  '\u2029',
];

function logged(env: NodeJS.ProcessEnv = {}) {
  let text = '';
  const logger = cliLogger({ stdout: { write: () => true }, stderr: { write: (s) => (text += s) }, env });
  return { logger, text: () => text };
}

describe("the server's log lines", () => {
  it('write caller text with a newline as one line: no forged line', () => {
    const { logger, text } = logged();
    logger.warn('provisioning failed: chdir /work\nsbx: error: forged by the caller');
    expect(text()).toBe(
      'sbx: warning: provisioning failed: chdir /work\\nsbx: error: forged by the caller\n',
    );
  });

  it.each(CONTROLS.map((c) => [c.charCodeAt(0).toString(16), c]))(
    'escape control character U+%s in messages and details',
    (_hex, ch) => {
      const { logger, text } = logged({ SBX_DEBUG: '1' });
      logger.error(`a${ch}b`, { workingDir: `/x${ch}y` });
      const out = text();
      expect(out.endsWith('\n')).toBe(true);
      expect([...out.slice(0, -1)].filter((c) => CONTROLS.includes(c))).toEqual([]);
      expect(out.split('\n')).toHaveLength(2);
    },
  );

  it('leave ordinary text (and non-Latin letters) as it is', () => {
    expect(logText('sandbox sbx-1 is gone (idle) – ok, ünïcode 日本')).toBe(
      'sandbox sbx-1 is gone (idle) – ok, ünïcode 日本',
    );
    expect(logText('\x1b[31mred')).toBe('\\x1b[31mred');
    expect(logText('\u2028')).toBe('\\u2028');
  });
});
