/** Where the CLI writes, and what it knows of its terminal; tests hand in their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The real process streams. */
export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** A user-facing failure: the CLI prints its message alone (no stack) and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
