import type { Logger } from '@sbx/timing';
import { logText } from './log-text.js';

/** Where the CLI writes, and what it knows of its terminal; tests hand in their own. */
export interface CliIo {
  stdout: { write(text: string | Uint8Array): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string | Uint8Array): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Standard input, for commands that read it (`sbx cp - ID:/path`). */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** Sets the process's exit code (`sbx exec` exits with its command's). */
  setExitCode?(code: number): void;
}

/** The real process streams. */
export const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * A logger for the CLI and the server: one line per event on stderr (control characters escaped, so text a
 * caller sent cannot forge a line); details only with `SBX_DEBUG=1`.
 */
export function cliLogger(io: CliIo): Logger {
  const line = (level: string, message: string, details?: Record<string, unknown>) => {
    const extra = io.env.SBX_DEBUG === '1' && details ? ` ${JSON.stringify(details)}` : '';
    io.stderr.write(`sbx: ${level}: ${logText(`${message}${extra}`)}\n`);
  };
  return { warn: (m, d) => line('warning', m, d), error: (m, d) => line('error', m, d) };
}
