import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentHostError } from '../errors.js';

/** The longest a signed preview URL may live (`ttlSeconds` above is refused). */
export const MAX_PREVIEW_TTL_SECONDS = 24 * 60 * 60;
/** The query parameter (and cookie) that carries a signed preview token. */
export const PREVIEW_PARAM = 'sbx_preview';
/** A token longer than this is refused before any HMAC is computed. */
const MAX_TOKEN_CHARS = 256;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A signed preview token and when it stops working. */
export interface SignedPreview {
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/**
 * Signs and checks preview tokens: `EXPIRY.TENANT.MAC`, where MAC is the HMAC-SHA256 (host secret) of the
 * sandbox id, the port, the expiry and the tenant. A token opens one port of one sandbox, for its owner's
 * tenant, until it expires; anything else (another port, another sandbox, a changed field) fails the MAC.
 */
export class PreviewSigner {
  readonly #secret: Uint8Array;
  readonly #nowSeconds: () => number;

  constructor(options: { secret: Uint8Array; nowSeconds?: () => number }) {
    if (options.secret.length < 32) throw new Error('a preview secret needs at least 32 bytes');
    this.#secret = options.secret;
    this.#nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  /** A token for `port` of `sandboxId`, owned by `tenant`, valid for `ttlSeconds` (1..24 h). */
  sign(sandboxId: string, port: number, tenant: string, ttlSeconds: number): SignedPreview {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PREVIEW_TTL_SECONDS) {
      throw new AgentHostError(
        'INVALID_REQUEST',
        `ttlSeconds must be a whole number from 1 to ${MAX_PREVIEW_TTL_SECONDS}, got ${ttlSeconds}`,
      );
    }
    if (!TENANT.test(tenant)) throw new AgentHostError('INVALID_REQUEST', 'a tenant name cannot be signed');
    const expiresAt = this.#nowSeconds() + ttlSeconds;
    return { token: `${expiresAt}.${tenant}.${this.#mac(sandboxId, port, expiresAt, tenant)}`, expiresAt };
  }

  /** The tenant a token was signed for when it opens `port` of `sandboxId` now; else undefined. */
  verify(token: string, sandboxId: string, port: number): { tenant: string; expiresAt: number } | undefined {
    if (token.length > MAX_TOKEN_CHARS) return undefined;
    const match = /^(\d{1,12})\.([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return undefined;
    const expiresAt = Number(match[1]);
    const tenant = match[2] as string;
    if (!(expiresAt > this.#nowSeconds())) return undefined;
    const expected = Buffer.from(this.#mac(sandboxId, port, expiresAt, tenant));
    const given = Buffer.from(match[3] as string);
    return expected.length === given.length && timingSafeEqual(expected, given)
      ? { tenant, expiresAt }
      : undefined;
  }

  #mac(sandboxId: string, port: number, expiresAt: number, tenant: string): string {
    return createHmac('sha256', this.#secret)
      .update(`sbx-preview/v1\n${sandboxId}\n${port}\n${expiresAt}\n${tenant}`)
      .digest('base64url');
  }
}

/**
 * The host's preview secret from `path` (32 random bytes, base64url, one line), created mode 0600 when missing:
 * kept in the state dir so signed URLs survive a restart; deleting the file revokes every URL signed so far.
 */
export function loadPreviewSecret(path: string): Uint8Array {
  try {
    return decodeSecret(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const text = `${randomBytes(32).toString('base64url')}\n`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    return decodeSecret(text, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return decodeSecret(readFileSync(path, 'utf8'), path);
    throw new AgentHostError(
      'INVALID_CONFIG',
      `cannot create the preview secret ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function decodeSecret(text: string, path: string): Uint8Array {
  const secret = Buffer.from(text.trim(), 'base64url');
  if (secret.length < 32) {
    throw new AgentHostError(
      'INVALID_CONFIG',
      `${path} must hold at least 32 random bytes (base64url): delete it and sbx serve makes a new one`,
    );
  }
  return secret;
}
