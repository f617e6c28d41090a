import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AgentHost } from '../compose/open-agent-host.js';
import { describeIssues, errorBody } from './http-errors.js';
import type { AppEnv } from './request-guard.js';
import { failure } from './route-helpers.js';

/** What the pool routes need. */
export type PoolRouteDeps = Pick<AgentHost, 'host'>;

/** `POST /v1/sandboxes` from a warm pool: its name, and optionally the deadline of a cold miss. */
export const poolRequestSchema = z
  .object({
    pool: z.string().min(1).max(64),
    deadlineMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict();

/** `GET /v1/pools`: each pool's size, ready members, refills under way, hits, misses and refill p50/p95. */
export function poolRoutes(app: Hono<AppEnv>, deps: PoolRouteDeps): void {
  app.get('/v1/pools', (c) => c.json({ pools: deps.host.poolStats() }));
}

/** True when a `POST /v1/sandboxes` body asks for a warm pool's sandbox (`{ "pool": NAME }`). */
export function isPoolRequest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'pool' in body;
}

/**
 * `POST /v1/sandboxes` with `{ "pool": NAME }`: a ready member of the pool becomes the caller's (source `pool`),
 * or, the pool being empty, its spec is provisioned cold (source `cold`); 404 for an unknown pool. The answer's
 * `Server-Timing` has `acquire`, what the KPI row records (`serverTiming` adds the total).
 */
export async function handOut(c: Context<AppEnv>, body: unknown, deps: PoolRouteDeps): Promise<Response> {
  const parsed = poolRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return c.json(errorBody('INVALID_REQUEST', `${issues[0]?.path}: ${issues[0]?.message}`, issues), 400);
  }
  const { pool, deadlineMs } = parsed.data;
  try {
    const { sandbox, result, source } = await deps.host.acquire(pool, {
      tenant: c.get('tenant'),
      signal: c.req.raw.signal,
      ...(deadlineMs ? { deadlineMs } : {}),
    });
    const { phases = [], attributes: _attributes, ...summary } = result;
    c.header('Server-Timing', `acquire;dur=${result.durationMs.toFixed(3)}`);
    return c.json({ id: sandbox.id, source, pool, result: summary, phases }, 201);
  } catch (error) {
    return failure(c, error);
  }
}
