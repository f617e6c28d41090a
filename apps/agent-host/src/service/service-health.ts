import type { SandboxHost } from '../core/sandbox-host.js';
import type { StoreHealth } from '../spool/spooled-store.js';

/** The host's state, its engine's, its store's, and how many sandboxes are live. */
export interface Health {
  status: 'ok' | 'degraded' | 'down' | 'closing';
  engine: 'reachable' | 'unreachable';
  store: StoreHealth;
  liveSandboxes: number;
}

const STORE_OK: StoreHealth = { status: 'ok', spooled: 0, oldestAgeSeconds: 0 };

/**
 * Pings the engine (an unreachable one is a state, not an error); the store's state comes from the spool,
 * never from a query, since a database that is away answers nothing.
 */
export async function healthOf(host: SandboxHost, storeHealth?: () => StoreHealth): Promise<Health> {
  const engine = await host.ping().then(
    () => 'reachable' as const,
    () => 'unreachable' as const,
  );
  const store = storeHealth?.() ?? STORE_OK;
  const status = host.closing ? 'closing' : store.status;
  return { status, engine, store, liveSandboxes: host.liveCount };
}
