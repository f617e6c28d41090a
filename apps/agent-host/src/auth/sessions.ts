import { randomBytes } from 'node:crypto';

/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 1_000;
const MAX_CODES = 100;

/** The cookie that carries a dashboard session (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'sbx_session';

/**
 * Dashboard sessions: `sbx serve` prints a one-time login URL; redeeming its code sets a session cookie
 * bound to a tenant. Both are random 256-bit values kept only in memory (a restart logs everyone out).
 */
export class Sessions {
  readonly #codes = new Map<string, string>();
  readonly #sessions = new Map<string, { tenant: string; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A code that logs one browser in as `tenant`, once. */
  issueLoginCode(tenant: string): string {
    const code = randomBytes(32).toString('base64url');
    this.#codes.set(code, tenant);
    if (this.#codes.size > MAX_CODES) this.#codes.delete(this.#codes.keys().next().value as string);
    return code;
  }

  /** Turns a login code into a session id (the code is spent), or undefined for an unknown code. */
  redeem(code: string): string | undefined {
    const tenant = this.#codes.get(code);
    if (tenant === undefined) return undefined;
    this.#codes.delete(code);
    return this.open(tenant);
  }

  /** Opens a session for `tenant` (a token typed into the login form); returns its id. */
  open(tenant: string): string {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { tenant, expiresAt: this.#now() + SESSION_TTL_MS });
    if (this.#sessions.size > MAX_SESSIONS)
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    return id;
  }

  /** The tenant of a live session, or undefined. */
  tenantOf(id: string): string | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session.tenant;
  }
}
