import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { renderDashboard, serveDashboardAsset } from '../dashboard/dashboard-page.js';
import { kpiSnapshot } from '../reports/kpi-snapshot.js';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import { type HttpResponse, renderWebContainerPage, serveWebContainerAsset } from '../webcontainer/index.js';
import { errorBody, toHttpError, validationHook } from './http-errors.js';
import { ingestSchema, toProvisionResult } from './ingest-schema.js';
import { sandboxRoutes } from './sandbox-routes.js';
import { alertQuerySchema, listQuerySchema } from './schemas.js';

/** What the HTTP API needs from the composed host. */
export type AppDeps = Pick<AgentHost, 'kpis' | 'perf' | 'host' | 'config'> &
  Partial<Pick<AgentHost, 'alerts' | 'metrics'>>;

const MAX_BODY_BYTES = 64 * 1024;
const MAX_INGEST_BYTES = 16 * 1024;

/** Options of the HTTP API. */
export interface AppOptions {
  /** Origins of browser apps allowed to POST measurements to `/v1/provisions` (CORS); none by default. */
  corsOrigins?: readonly string[];
}

/** The agent host's HTTP API (hono). */
export function createApp(deps: AppDeps, options: AppOptions = {}): Hono {
  const app = new Hono();
  if (options.corsOrigins?.length) {
    const origins = [...options.corsOrigins];
    app.use(
      '/v1/provisions',
      cors({ origin: origins, allowMethods: ['POST'], allowHeaders: ['content-type'], maxAge: 600 }),
    );
  }
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`), 413),
    }),
  );

  app.get('/healthz', async (c) => {
    const engine = await deps.host.ping().then(
      () => 'reachable' as const,
      () => 'unreachable' as const,
    );
    const status = deps.host.closing ? 'closing' : 'ok';
    return c.json({ status, engine, liveSandboxes: deps.host.liveCount });
  });

  sandboxRoutes(app, deps);

  // A provisioning measured elsewhere (the WebContainer page, any browser app): stored like docker's.
  app.post(
    '/v1/provisions',
    bodyLimit({
      maxSize: MAX_INGEST_BYTES,
      onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `request body over ${MAX_INGEST_BYTES} bytes`), 413),
    }),
    zValidator('json', ingestSchema, validationHook),
    async (c) => {
      await deps.host.recordExternal(toProvisionResult(c.req.valid('json')));
      return c.json({ recorded: true }, 201);
    },
  );

  app.get('/v1/provisions', zValidator('query', listQuerySchema, validationHook), async (c) => {
    const { type, limit } = c.req.valid('query');
    const rows = await deps.kpis.listRecent({ limit, ...(type ? { type } : {}) });
    return c.json({ rows });
  });

  app.get('/v1/kpis', async (c) => c.json(await kpiSnapshot(deps.kpis)));
  app.get('/v1/alerts', zValidator('query', alertQuerySchema, validationHook), async (c) => {
    const { limit, kind } = c.req.valid('query');
    return c.json({ rows: deps.alerts ? await deps.alerts.listRecent(limit, kind) : [] });
  });
  app.get('/metrics', async (c) => {
    if (!deps.metrics) return c.json(errorBody('NOT_FOUND', 'metrics are not enabled'), 404);
    return c.body(await deps.metrics.metrics(), 200, { 'content-type': deps.metrics.contentType });
  });
  app.get('/v1/perf/report', async (c) => c.json(await deps.perf.getReport()));

  // The dashboard and its assets (uPlot included): nothing is loaded from outside the host.
  app.get('/', (c) => toResponse(renderDashboard()));
  app.get('/dashboard/*', async (c) => toResponse(await serveDashboardAsset(c.req.path)));

  // The WebContainer measuring page (cross-origin isolated) and the ES modules it imports.
  app.get('/webcontainer', (c) =>
    toResponse(renderWebContainerPage({ fake: c.req.query('fake') !== undefined })),
  );
  app.get('/assets/*', async (c) => toResponse(await serveWebContainerAsset(c.req.path)));

  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    // hono raises HTTPException for malformed JSON and the like: those are the client's 4xx.
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody('INVALID_REQUEST', error.message), error.status as 400);
    }
    const { status, body } = toHttpError(error);
    return c.json(body, status);
  });
  return app;
}

function toResponse(response: HttpResponse): Response {
  return new Response(response.body as BodyInit, { status: response.status, headers: response.headers });
}
