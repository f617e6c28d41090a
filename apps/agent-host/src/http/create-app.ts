import { randomBytes } from 'node:crypto';
import { zValidator } from '@hono/zod-validator';
import type { StoredAlert } from '@sbx/store';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { GuessLimiter } from '../auth/guess-limiter.js';
import { PreviewSigner } from '../auth/preview-signer.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { DEFAULT_TENANT } from '../auth/token-file.js';
import type { AgentHost } from '../compose/open-agent-host.js';
import type { SandboxHost } from '../core/sandbox-host.js';
import { renderDashboard, serveDashboardAsset } from '../dashboard/dashboard-page.js';
import { E2B_PREFIX, e2bDoor } from '../e2b/e2b-door.js';
import { E2bSandboxes } from '../e2b/e2b-sandboxes.js';
import {
  type HttpResponse,
  renderWebContainerPage,
  serveWebContainerAsset,
} from '../kinds/webcontainer/driver/index.js';
import { SandboxService } from '../service/sandbox-service.js';
import { jsonBodiesOnly, securityHeaders } from './app-middleware.js';
import type { AppOptions } from './app-options.js';
import { bodyLimits, bodyRuleOf } from './body-limits.js';
import { ConcurrencyCaps } from './concurrency-caps.js';
import { execRoutes } from './exec-routes.js';
import { fileOpRoutes } from './file-op-routes.js';
import { fileRoutes } from './file-routes.js';
import { heavyReadRoutes } from './heavy-read-routes.js';
import { errorBody, toHttpError, validationHook } from './http-errors.js';
import { ingestRoutes } from './ingest-routes.js';
import { lifecycleRoutes } from './lifecycle-routes.js';
import { loginPage, loginRoutes } from './login-routes.js';
import { openApiDocument } from './openapi-routes.js';
import { poolRoutes } from './pool-routes.js';
import { portRoutes } from './port-routes.js';
import { previewAuth } from './preview-auth.js';
import { previewHostRouting } from './preview-host.js';
import { processRoutes } from './process-routes.js';
import { ptyRoute } from './pty-route.js';
import { type AppEnv, type AuthOptions, hostGuard, requireTenant } from './request-guard.js';
import { runtimeRoutes } from './runtime-routes.js';
import { sandboxRoutes } from './sandbox-routes.js';
import { alertQuerySchema } from './schemas.js';
import { serverTiming } from './server-timing.js';

export type { AppOptions };

/**
 * What the HTTP API needs from the composed host: its sandbox service (or, for an app over a bare host, the host
 * the app builds one on with the config's policy).
 */
export type AppDeps = Pick<AgentHost, 'kpis' | 'perf' | 'config'> &
  Partial<Pick<AgentHost, 'alerts' | 'metrics' | 'storeHealth'>> &
  ({ service: SandboxService } | { host: SandboxHost });

/** The agent host's HTTP API (hono). */
export function createApp(deps: AppDeps, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const policy = deps.config.policy;
  const service = 'service' in deps ? deps.service : serviceOver(deps.host, deps);
  app.use('*', securityHeaders);
  // `PORT-ID.DOMAIN` (the E2B SDK's getHost()) is run again as that sandbox's preview path, before anything else
  // (bodies are bounded by the rewritten request's rules).
  if (options.e2bDomain)
    app.use(
      '*',
      previewHostRouting(options.e2bDomain, (r, env) => app.fetch(r, env)),
    );
  // Every body is bounded before anything else reads it or works on the request (authentication included).
  app.use(
    '*',
    bodyLimits((path, method) => bodyRuleOf(path, policy.maxFileBytes, method)),
  );
  app.use('*', hostGuard(options.allowedHosts ?? [], options.e2bDomain));
  if (options.corsOrigins?.length) {
    const origins = [...options.corsOrigins];
    app.use(
      '/v1/provisions',
      cors({
        origin: origins,
        allowMethods: ['POST'],
        allowHeaders: ['content-type', 'authorization'],
        maxAge: 600,
      }),
    );
  }
  const auth: AuthOptions | undefined = options.auth && {
    ...options.auth,
    guesses: options.auth.guesses ?? new GuessLimiter({ perMinute: policy.authFailuresPerMinute }),
  };
  const authenticate: MiddlewareHandler<AppEnv> = auth
    ? requireTenant(auth)
    : async (c, next) => {
        c.set('tenant', DEFAULT_TENANT);
        await next();
      };
  const signer = options.previewSigner ?? new PreviewSigner({ secret: randomBytes(32) });
  // The E2B door's records, shared so a sandbox's `X-Access-Token` also opens its preview ports.
  const e2bSandboxes = new E2bSandboxes();
  app.use(
    '/v1/*',
    previewAuth(signer, authenticate, auth, (id, token) => e2bSandboxes.byToken(id, token)?.tenant),
  );
  if (!options.metricsOpen) app.use('/metrics', authenticate);
  app.use('/v1/*', jsonBodiesOnly);
  if (auth) loginRoutes(app, auth);

  app.get('/healthz', async (c) => c.json(await service.health()));

  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.use('/v1/sandboxes', serverTiming);
  sandboxRoutes(app, { service });
  poolRoutes(app, { service });
  runtimeRoutes(app, { service });
  // Commands and log follows at once, per sandbox, tenant and host (429 above the policy's caps).
  const caps = new ConcurrencyCaps();
  lifecycleRoutes(app, { service, caps });
  const { processes } = service;
  execRoutes(app, { service, caps, processes });
  processRoutes(app, { service, caps, processes });
  ptyRoute(app, { service, caps, processes });
  fileOpRoutes(app, { service, caps });
  fileRoutes(app, { service });
  portRoutes(app, { service, caps, signer });
  app.route(
    E2B_PREFIX,
    e2bDoor({
      service,
      caps,
      sandboxes: e2bSandboxes,
      ...(auth ? { auth } : {}),
      ...(options.e2bDomain ? { domain: options.e2bDomain } : {}),
    }),
  );

  ingestRoutes(app, { service, kpis: deps.kpis }, options.ingestSource ?? 'client');
  heavyReadRoutes(app, { ...deps, service }, options.heavyReads);
  // The hosts that recorded into this database (a fleet shares one): the dashboard's host picker.
  app.get('/v1/hosts', async (c) => c.json({ rows: await deps.kpis.listHosts() }));
  app.get('/v1/alerts', zValidator('query', alertQuerySchema, validationHook), async (c) => {
    const { limit, kind } = c.req.valid('query');
    const rows = deps.alerts ? await deps.alerts.listRecent(limit, kind) : [];
    return c.json({ rows: rows.map((row) => ownView(row, c.get('tenant'))) });
  });
  app.get('/v1/perf/report', async (c) => c.json(await deps.perf.getReport()));

  // The dashboard and its assets (uPlot included): nothing is loaded from outside the host.
  app.get('/', (c) =>
    options.auth && !signedIn(c, options.auth) ? c.html(loginPage, 401) : toResponse(renderDashboard()),
  );
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

function serviceOver(host: SandboxHost, deps: AppDeps): SandboxService {
  const { storeHealth } = deps;
  return new SandboxService({ host, policy: deps.config.policy, ...(storeHealth ? { storeHealth } : {}) });
}

// Another tenant's alert keeps its numbers (KPIs are global) but not its sandbox id.
function ownView(row: StoredAlert, tenant: string) {
  const { tenant: owner, ...rest } = row;
  if (owner === tenant || rest.sandboxId === undefined) return rest;
  return {
    ...rest,
    sandboxId: undefined,
    message: rest.message.replaceAll(rest.sandboxId, "another tenant's sandbox"),
  };
}

function signedIn(c: Context, auth: AuthOptions): boolean {
  const session = getCookie(c, SESSION_COOKIE);
  return session !== undefined && auth.sessions.tenantOf(session) !== undefined;
}

function toResponse(response: HttpResponse): Response {
  return new Response(response.body as BodyInit, { status: response.status, headers: response.headers });
}
