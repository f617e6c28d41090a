import { zValidator } from '@hono/zod-validator';
import type { Hono, MiddlewareHandler } from 'hono';
import type { AgentHost } from '../compose/open-agent-host.js';
import { JSON_TYPE, kpiSnapshotBody } from '../reports/kpi-snapshot.js';
import type { SandboxService } from '../service/sandbox-service.js';
import { errorBody, validationHook } from './http-errors.js';
import type { AppEnv } from './request-guard.js';
import { kpiQuerySchema } from './schemas.js';
import { SharedRead } from './shared-read.js';

/** Heavy reads (`/metrics`, `/v1/kpis`) in flight at once; more get 429 with `Retry-After: 1`. */
export const MAX_HEAVY_READS = 32;
/** Views of `/v1/kpis` (the fleet's, one host's, one runtime's) whose shared builds are kept. */
const MAX_KPI_VIEWS = 32;

/** What the heavy read routes need. */
export type HeavyReadDeps = Pick<AgentHost, 'kpis'> & { service: SandboxService } & Partial<
    Pick<AgentHost, 'metrics'>
  >;

/** Options of the heavy read routes. */
export interface HeavyReadOptions {
  /** The least time between two builds of one view (default 1 s; see `SharedRead`). */
  minGapMs?: number;
  /** Heavy reads in flight at once (default `MAX_HEAVY_READS`). */
  maxInFlight?: number;
}

/**
 * `GET /metrics` and `GET /v1/kpis`: each view is built again only once the database changed, once for all the
 * callers that ask meanwhile and at most once per gap (`SharedRead`), its bytes shared by every answer, and at most `maxInFlight` such reads wait
 * at once: a thousand scrapers cost one build, and `/healthz` keeps answering.
 */
export function heavyReadRoutes(
  app: Hono<AppEnv>,
  deps: HeavyReadDeps,
  options: HeavyReadOptions = {},
): void {
  // Both read the database only: while nothing was written (and the hour and the live count hold), no build.
  const data = async () => `${await deps.kpis.dataVersion()}@${new Date().toISOString().slice(0, 13)}`;
  const gap = { minGapMs: options.minGapMs ?? 1_000, version: data };
  const withLive = { ...gap, version: async () => `${await data()}/${deps.service.liveCount}` };
  const cap = inFlightCap(options.maxInFlight ?? MAX_HEAVY_READS);
  const metrics = deps.metrics;
  const exposition =
    metrics &&
    new SharedRead(async () => ({ body: new TextEncoder().encode(await metrics.metrics()) }), withLive);
  const views = new Map<string, SharedRead<Uint8Array<ArrayBuffer>>>();
  const view = (host: string | undefined, runtime: string | undefined) => {
    const key = JSON.stringify([host ?? null, runtime ?? null]);
    let read = views.get(key);
    if (!read) {
      read = new SharedRead(() => kpiSnapshotBody(deps.kpis, { host, runtime }), gap);
      views.set(key, read);
      if (views.size > MAX_KPI_VIEWS) views.delete(views.keys().next().value as string);
    }
    return read;
  };

  app.get('/v1/kpis', cap, zValidator('query', kpiQuerySchema, validationHook), async (c) => {
    // The fleet by default; `?host=` for the provisionings one agent host measured, `?runtime=` for one runtime's.
    const { host, runtime } = c.req.valid('query');
    return c.body(await view(host, runtime).get(), 200, JSON_TYPE);
  });
  app.get('/metrics', cap, async (c) => {
    if (!metrics || !exposition) return c.json(errorBody('NOT_FOUND', 'metrics are not enabled'), 404);
    const { body } = await exposition.get();
    return c.body(body, 200, { 'content-type': metrics.contentType });
  });
}

// Counts a read until its answer is written out to the socket (or the connection closes), not only until it is
// built: a thousand answers of a megabyte each would otherwise all be written at once.
function inFlightCap(max: number): MiddlewareHandler {
  let inFlight = 0;
  return async (c, next) => {
    if (inFlight >= max) {
      c.header('Retry-After', '1');
      return c.json(
        errorBody('RATE_LIMITED', `at most ${max} reports or scrapes at once; retry in 1 s`),
        429,
      );
    }
    inFlight++;
    let held = true;
    const release = () => {
      if (held) inFlight--;
      held = false;
    };
    const outgoing = (c.env as { outgoing?: NodeJS.EventEmitter } | undefined)?.outgoing;
    outgoing?.once('close', release);
    try {
      await next();
    } finally {
      // In process (no socket: `app.request()`), the answer is out once it is built.
      if (!outgoing) release();
    }
  };
}
