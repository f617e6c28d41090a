import type { Hono } from 'hono';
import type { SandboxService } from '../service/sandbox-service.js';
import type { AppEnv } from './request-guard.js';

/** What the pool routes need. */
export interface PoolRouteDeps {
  service: SandboxService;
}

/**
 * `GET /v1/pools`: each pool's size, ready members, refills under way, hits, misses and refill p50/p95. A pool's
 * sandbox is handed out by `POST /v1/sandboxes` with `{ "pool": NAME }` (the service decides).
 */
export function poolRoutes(app: Hono<AppEnv>, deps: PoolRouteDeps): void {
  app.get('/v1/pools', (c) => c.json({ pools: deps.service.pools.stats() }));
}
