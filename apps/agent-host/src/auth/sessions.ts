import { randomBytes } from 'node:crypto';

/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** The most dashboard sessions one tenant holds; its next login ends its own oldest, never another's. */
export const MAX_SESSIONS_PER_TENANT = 50;
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
  // Each tenant's session ids, oldest first.
  readonly #byTenant = new Map<string, Set<string>>();
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

  /**
   * Opens a session for `tenant` (a token typed into the login form); returns its id. A tenant holds at most
   * `MAX_SESSIONS_PER_TENANT`: past that its own oldest ends (tenants come from the token file, so the whole
   * table stays bounded and no tenant's logins end another's sessions).
   */
  open(tenant: string): string {
    const id = randomBytes(32).toString('base64url');
    const own = this.#byTenant.get(tenant) ?? new Set<string>();
    this.#byTenant.set(tenant, own);
    for (const old of own) {
      if (own.size < MAX_SESSIONS_PER_TENANT) break;
      this.#end(old);
    }
    this.#sessions.set(id, { tenant, expiresAt: this.#now() + SESSION_TTL_MS });
    own.add(id);
    return id;
  }

  /** How many live sessions `tenant` holds. */
  countOf(tenant: string): number {
    return this.#byTenant.get(tenant)?.size ?? 0;
  }

  #end(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    this.#byTenant.get(session.tenant)?.delete(id);
  }

  /** The tenant of a live session, or undefined. */
  tenantOf(id: string): string | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#end(id);
      return undefined;
    }
    return session.tenant;
  }
}
