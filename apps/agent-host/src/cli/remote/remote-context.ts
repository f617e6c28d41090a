import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSbxError, SbxClient } from '@sbx/client';
import { DEFAULT_DB_PATH } from '@sbx/store';
import type { Command } from 'commander';
import { stateDirOf } from '../../compose/config.js';
import { AgentHostError } from '../../errors.js';
import type { CliIo } from '../cli-io.js';

/** The flags every command that talks to a running host takes. */
export interface RemoteFlags {
  url: string;
  tokenFile?: string;
  json?: boolean;
}

/** The host `sbx serve` listens on by default. */
export const DEFAULT_URL = 'http://127.0.0.1:7070';

/** Adds `--url`, `--token-file` and `--json` to a command that talks to a running host. */
export function withRemoteFlags(command: Command, io: CliIo): Command {
  return command
    .option('--url <url>', 'the sbx host (env SBX_URL)', io.env.SBX_URL?.trim() || DEFAULT_URL)
    .option(
      '--token-file <path>',
      'token file of the host (env SBX_TOKEN_FILE; default .sbx/token beside the database)',
    )
    .option('--json', 'print JSON for scripts (errors too)');
}

/**
 * Where the token file is: the flag, SBX_TOKEN_FILE, or `token` in the host's state folder (beside a SQLite
 * `SBX_DB`, or `SBX_HOME`/`./.sbx` for PostgreSQL: never a path made of a URL).
 */
export function tokenFilePath(flags: RemoteFlags, env: NodeJS.ProcessEnv): string {
  return (
    flags.tokenFile ??
    (env.SBX_TOKEN_FILE?.trim() || join(stateDirOf(env.SBX_DB?.trim() || DEFAULT_DB_PATH, env), 'token'))
  );
}

/** A client of the host the flags name, with the first token of its token file (or SBX_TOKEN). */
export function remoteClient(flags: RemoteFlags, io: CliIo): SbxClient {
  return new SbxClient(remoteCredentials(flags, io));
}

/** The host the flags name and the token to send it: SBX_TOKEN, or the first token of its token file. */
export function remoteCredentials(flags: RemoteFlags, io: CliIo): { baseUrl: string; token: string } {
  const fromEnv = io.env.SBX_TOKEN?.trim();
  if (fromEnv) return { baseUrl: flags.url, token: fromEnv };
  const path = tokenFilePath(flags, io.env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentHostError(
      'INVALID_CONFIG',
      `cannot read the token file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): start \`sbx serve\` (it creates one), or pass --token-file or SBX_TOKEN`,
      { cause: error },
    );
  }
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (!line) throw new AgentHostError('INVALID_CONFIG', `${path} holds no token`);
  const colon = line.indexOf(':');
  return { baseUrl: flags.url, token: colon === -1 ? line : line.slice(colon + 1).trim() };
}

/**
 * Runs a remote command: a failure is one line on stderr (`sbx: message (CODE)`), or with `--json` one JSON
 * object `{ error: { code, message, status } }` on stdout; either way the exit code is 1.
 */
export async function runRemote(
  io: CliIo,
  flags: RemoteFlags,
  fn: (client: SbxClient) => Promise<void>,
): Promise<void> {
  try {
    await fn(remoteClient(flags, io));
  } catch (error) {
    const code = isSbxError(error) ? error.code : ((error as { code?: string }).code ?? 'ERROR');
    const status = isSbxError(error) ? error.status : 0;
    const message = forCliUser(error, code, flags);
    if (flags.json) io.stdout.write(`${JSON.stringify({ error: { code, message, status } })}\n`);
    else io.stderr.write(`sbx: ${message} (${code})\n`);
    io.setExitCode?.(1);
  }
}

// The client's messages are written for programs (HTTP headers, fetch errors): a CLI user gets what to do.
function forCliUser(error: unknown, code: string, flags: RemoteFlags): string {
  const message = firstLine((error as Error).message);
  if (code === 'UNREACHABLE') {
    // fetch's TypeError('fetch failed') carries the socket error (ECONNREFUSED, ENOTFOUND, bad port) as its cause.
    const cause = (error as { cause?: { cause?: { code?: unknown; message?: unknown } } }).cause?.cause;
    const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
    const why = typeof detail === 'string' && detail !== '' ? ` (${firstLine(detail)})` : '';
    return `no sbx host answers at ${flags.url}${why}: start one with \`sbx serve\` (or \`pnpm start\`), or point --url or SBX_URL at a running host`;
  }
  if (code === 'UNAUTHORIZED') {
    return `the host at ${flags.url} refused the token: use a line of the token file its \`sbx serve\` printed (--token-file, SBX_TOKEN_FILE or SBX_TOKEN)`;
  }
  return message;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}...` : line;
}

/** Splits `ID:/path` (a path inside a sandbox); undefined for a local path. */
export function remotePath(arg: string): { id: string; path: string } | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\/.*)$/.exec(arg);
  return match ? { id: match[1] as string, path: match[2] as string } : undefined;
}
