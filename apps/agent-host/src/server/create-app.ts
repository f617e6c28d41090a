import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { renderDashboard, serveDashboardAsset } from '../dashboard/dashboard-page.js';
import { JSON_TYPE, kpiSnapshotBody } from '../reports/kpi-snapshot.js';
import { toDockerSpec } from '../sandbox/docker-spec.js';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import { type HttpResponse, renderWebContainerPage, serveWebContainerAsset } from '../webcontainer/index.js';
import { errorBody, toHttpError } from './http-errors.js';
import { ingestSchema, toProvisionResult } from './ingest-schema.js';
import {
  alertQuerySchema,
  describeIssues,
  execRequestSchema,
  listQuerySchema,
  provisionRequestSchema,
} from './schemas.js';

/** What the HTTP API needs from the composed host. */
export type AppDeps = Pick<AgentHost, 'kpis' | 'perf' | 'host' | 'adapter' | 'config'> &
  Partial<Pick<AgentHost, 'alerts' | 'metrics'>>;

const MAX_BODY_BYTES = 64 * 1024;
const MAX_INGEST_BYTES = 16 * 1024;

function validationHook(
  result: { success: boolean; error?: unknown },
  c: { json: (b: unknown, s: 400) => Response },
) {
  if (result.success) return;
  const issues = describeIssues(result.error as Parameters<typeof describeIssues>[0]);
  const first = issues[0];
  return c.json(
    errorBody('INVALID_REQUEST', first ? `${first.path}: ${first.message}` : 'invalid body', issues),
    400,
  );
}

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
    const docker = await deps.adapter.ping().then(
      () => ({ reachable: true, address: deps.config.engineAddress }),
      (error: Error) => ({ reachable: false, address: deps.config.engineAddress, message: error.message }),
    );
    return c.json({ status: 'ok', docker, db: deps.config.dbPath, liveSandboxes: deps.host.liveCount });
  });

  app.post('/v1/sandboxes', zValidator('json', provisionRequestSchema, validationHook), async (c) => {
    const body = c.req.valid('json');
    try {
      const spec = toDockerSpec(body);
      await deps.adapter.ping(); // an unreachable engine is a 503, not a recorded failure
      const { sandbox, result } = await deps.host.provisionDocker(spec, {
        signal: c.req.raw.signal,
        ...(body.deadlineMs ? { deadlineMs: body.deadlineMs } : {}),
      });
      const { phases = [], ...summary } = result;
      return c.json({ id: sandbox.id, result: summary, phases }, 201);
    } catch (error) {
      const { status, body: errBody } = toHttpError(error);
      return c.json(errBody, status);
    }
  });

  app.post('/v1/sandboxes/:id/exec', zValidator('json', execRequestSchema, validationHook), async (c) => {
    const sandbox = deps.host.get(c.req.param('id'));
    if (!sandbox) return c.json(errorBody('NOT_FOUND', `no live sandbox ${c.req.param('id')}`), 404);
    const { cmd, timeoutMs } = c.req.valid('json');
    try {
      const { exec, record } = await deps.host.runJob(sandbox, cmd, timeoutMs ? { timeoutMs } : {});
      return c.json({
        ...exec,
        durationMs: record.durationMs,
        outcome: record.outcome,
        alertFired: record.alertFired,
      });
    } catch (error) {
      const { status, body } = toHttpError(error);
      return c.json(body, status);
    }
  });

  app.delete('/v1/sandboxes/:id', async (c) => {
    const removed = await deps.host.dispose(c.req.param('id'));
    return removed
      ? c.body(null, 204)
      : c.json(errorBody('NOT_FOUND', `no live sandbox ${c.req.param('id')}`), 404);
  });

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

  app.get('/v1/kpis', async (c) => c.body(await kpiSnapshotBody(deps.kpis), 200, JSON_TYPE));
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
