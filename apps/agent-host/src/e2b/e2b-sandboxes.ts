import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What one door instance keeps of a sandbox in its memory: its owner, the access token it issued and calls
 * under way. Template, metadata, `autoPause` and the paused state are the sandbox's own labels on the host
 * (sandbox-labels.ts), which every door instance reads.
 */
export interface E2bSandboxRecord {
  id: string;
  tenant: string;
  /** The per-sandbox token the sandbox plane checks (`X-Access-Token`). */
  accessToken: string;
  /** The pause under way (an automatic one), which a resume waits for. */
  pausing?: Promise<void>;
  /** The user its commands run as by default, once asked (`id -un`). */
  user?: string;
}

/**
 * The E2B door's records of its sandboxes, beside the host's live set (which owns them): one per live sandbox
 * the door created, dropped when the host no longer has it. Bounded by the host's live caps.
 */
export class E2bSandboxes {
  readonly #records = new Map<string, E2bSandboxRecord>();

  /** Records a sandbox with a fresh access token (a new one, or one another door instance created). */
  add(record: Omit<E2bSandboxRecord, 'accessToken'>): E2bSandboxRecord {
    const full = { ...record, accessToken: randomBytes(24).toString('base64url') };
    this.#records.set(record.id, full);
    return full;
  }

  /** The record of `id`, whichever tenant owns it (for the host's own sweep, never for a caller). */
  byId(id: string): E2bSandboxRecord | undefined {
    return this.#records.get(id);
  }

  /** True when the door has a record of `id` (any tenant's). */
  has(id: string): boolean {
    return this.#records.has(id);
  }

  /** The record of `id` owned by `tenant`, if any. */
  get(id: string, tenant: string): E2bSandboxRecord | undefined {
    const record = this.#records.get(id);
    return record?.tenant === tenant ? record : undefined;
  }

  /** The record of `id` whose access token is `token` (constant-time compare), if any. */
  byToken(id: string, token: string | undefined): E2bSandboxRecord | undefined {
    const record = this.#records.get(id);
    if (!record || token === undefined) return undefined;
    const a = Buffer.from(record.accessToken);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b) ? record : undefined;
  }

  /** Forgets `id`. */
  delete(id: string): void {
    this.#records.delete(id);
  }

  /** Forgets every record whose sandbox `alive` says is gone. */
  prune(alive: (id: string) => boolean): void {
    for (const id of this.#records.keys()) if (!alive(id)) this.#records.delete(id);
  }
}
