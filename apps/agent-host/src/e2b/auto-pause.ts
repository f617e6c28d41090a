import type { E2bHost } from './e2b-host.js';
import type { E2bSandboxes } from './e2b-sandboxes.js';
import { factsOf, setPaused } from './sandbox-labels.js';

// Held this long before the host's maxTtlMs: extendTtl measures from its own "now", a moment later.
const MARGIN_MS = 1_000;

/**
 * E2B's `autoPause`: the host's sweep asks before removing a sandbox the door created (past its timeout, or
 * idle). An `autoPause` one is paused instead (the engine's pause), and any paused one is kept until the host's
 * `maxTtlMs` from its creation, then removed; `connect` resumes it. Everything else is removed as before.
 */
export class AutoPause {
  readonly #host: E2bHost;
  readonly #sandboxes: E2bSandboxes;

  constructor(deps: { host: E2bHost; sandboxes: E2bSandboxes }) {
    this.#host = deps.host;
    this.#sandboxes = deps.sandboxes;
  }

  /** True to keep the due sandbox `id` (paused, or now pausing); false lets the host remove it. Never throws. */
  due(id: string): boolean {
    try {
      return this.#due(id);
    } catch {
      return false;
    }
  }

  #due(id: string): boolean {
    const record = this.#sandboxes.byId(id);
    const facts = factsOf(this.#host, id);
    if (!record || !facts || !(facts.paused || facts.autoPause)) return false;
    const left = this.#host.ttlLeft(id) - MARGIN_MS;
    if (left <= 0) return false;
    const expiresAt = this.#host.times(id)?.expiresAt ?? 0;
    if (expiresAt < Date.now() + left - MARGIN_MS) this.#host.extendTtl(id, left);
    if (!facts.paused) {
      setPaused(this.#host, id, true);
      record.pausing = this.#host
        .pause(id, record.tenant)
        // A sandbox that cannot pause is removed, as it would have been without autoPause.
        .catch(() => void this.#host.dispose(id).catch(() => {}))
        .finally(() => {
          delete record.pausing;
        });
    }
    return true;
  }
}
