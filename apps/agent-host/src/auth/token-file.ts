import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentHostError } from '../errors.js';

/** The tenant of a bare `TOKEN` line. */
export const DEFAULT_TENANT = 'default';

const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MIN_TOKEN_CHARS = 16;

/** The tokens a host accepts, by the SHA-256 of each (a lookup that reveals nothing about a near miss). */
export class TokenTable {
  readonly #tenantByHash: Map<string, string>;

  constructor(entries: ReadonlyArray<{ tenant: string; token: string }>) {
    this.#tenantByHash = new Map(entries.map((e) => [hash(e.token), e.tenant]));
  }

  /** The tenant a presented token belongs to, or undefined. */
  tenantOf(token: string): string | undefined {
    return this.#tenantByHash.get(hash(token));
  }

  /** The tenants, in file order, without duplicates. */
  get tenants(): string[] {
    return [...new Set(this.#tenantByHash.values())];
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** What `loadTokenFile` found or did. */
export interface LoadedTokens {
  table: TokenTable;
  /** True when the file did not exist and was created with one new token. */
  created: boolean;
}

/**
 * Reads a token file: each non-empty line is `TENANT:TOKEN` (a bare `TOKEN` is tenant `default`; `#` starts
 * a comment). A missing file is created with one random 256-bit token, mode 0600. A malformed line throws
 * `INVALID_CONFIG` naming the line (never echoing the token).
 */
export function loadTokenFile(path: string): LoadedTokens {
  let text: string;
  let created = false;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, error);
    text = `${randomBytes(32).toString('base64url')}\n`;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw unreadable(path, writeError);
      text = readFileSync(path, 'utf8'); // another process created it first
    }
  }
  return { table: new TokenTable(parseTokens(text, path)), created };
}

/** Parses the lines of a token file. */
export function parseTokens(text: string, path = 'token file'): Array<{ tenant: string; token: string }> {
  const entries: Array<{ tenant: string; token: string }> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const tenant = colon === -1 ? DEFAULT_TENANT : line.slice(0, colon).trim();
    const token = colon === -1 ? line : line.slice(colon + 1).trim();
    const where = `${path} line ${index + 1}`;
    if (!TENANT.test(tenant)) {
      throw new AgentHostError(
        'INVALID_CONFIG',
        `${where}: tenant must be letters, digits, . _ - (at most 64)`,
      );
    }
    if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
      throw new AgentHostError(
        'INVALID_CONFIG',
        `${where}: a token needs at least ${MIN_TOKEN_CHARS} characters and no spaces`,
      );
    }
    entries.push({ tenant, token });
  });
  if (entries.length === 0)
    throw new AgentHostError('INVALID_CONFIG', `${path} holds no token: add a line TENANT:TOKEN`);
  return entries;
}

function unreadable(path: string, error: unknown): AgentHostError {
  return new AgentHostError(
    'INVALID_CONFIG',
    `cannot read or create the token file ${path}: ${(error as Error).message}`,
    {
      cause: error,
    },
  );
}
