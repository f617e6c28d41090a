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
import { SandboxProcesses } from '../core/sandbox-processes.js';
import { renderDashboard, serveDashboardAsset } from '../dashboard/dashboard-page.js';
import { E2B_PREFIX, e2bDoor } from '../e2b/e2b-door.js';
import { E2bSandboxes } from '../e2b/e2b-sandboxes.js';
import {
  type HttpResponse,
  renderWebContainerPage,
  serveWebContainerAsset,
} from '../kinds/webcontainer/driver/index.js';
import { bodyLimits, bodyRuleOf } from './body-limits.js';
import { ConcurrencyCaps } from './concurrency-caps.js';
import { execRoutes } from './exec-routes.js';
import { fileOpRoutes } from './file-op-routes.js';
import { FILES_PATH, fileRoutes } from './file-routes.js';
import { type HeavyReadOptions, heavyReadRoutes } from './heavy-read-routes.js';
import { errorBody, toHttpError, validationHook } from './http-errors.js';
import { ingestSchema, toProvisionResult } from './ingest-schema.js';
import { lifecycleRoutes } from './lifecycle-routes.js';
import { loginPage, loginRoutes } from './login-routes.js';
import { openApiDocument } from './openapi-routes.js';
import { poolRoutes } from './pool-routes.js';
import { PORTS_PATH, PREVIEW_URL_PATH, portRoutes } from './port-routes.js';
import { previewAuth } from './preview-auth.js';
import { previewHostRouting } from './preview-host.js';
import { processRoutes } from './process-routes.js';
import { STDIN_PATH } from './process-schemas.js';
import { ptyRoute } from './pty-route.js';
import { RateLimiter } from './rate-limiter.js';
import { type AppEnv, type AuthOptions, hostGuard, requireTenant } from './request-guard.js';
import { runtimeRoutes } from './runtime-routes.js';
import { sandboxRoutes } from './sandbox-routes.js';
import { alertQuerySchema, listQuerySchema } from './schemas.js';
import { serverTiming } from './server-timing.js';

/** What the HTTP API needs from the composed host. */
export type AppDeps = Pick<AgentHost, 'kpis' | 'perf' | 'host' | 'config'> &
  Partial<Pick<AgentHost, 'alerts' | 'metrics' | 'storeHealth'>>;

/** Options of the HTTP API. */
export interface AppOptions {
  /** Origins of browser apps allowed to POST measurements to `/v1/provisions` (CORS); none by default. */
  corsOrigins?: readonly string[];
  /**
   * How callers authenticate (`sbx serve` always sets it). Without it every request is tenant `default`:
   * only for an app that is not reachable by anyone else (tests, an in-process host).
   */
  auth?: AuthOptions;
  /** Host names besides loopback (and the listening address) that requests may name; others get 421. */
  allowedHosts?: readonly string[];
  /** Serve `/metrics` without a token (default: a token is needed, as for `/v1/*`). */
  metricsOpen?: boolean;
  /** How `/metrics` and `/v1/kpis` are shared among callers and capped (defaults: 1 s gap, 32 in flight). */
  heavyReads?: HeavyReadOptions;
  /**
   * The source of measurements posted to `/v1/provisions`: `client` by default (any token holder could forge
   * them, so they are shown apart and never judged). Only an in-process host whose one caller is the page it
   * drives itself with a one-off token (`sbx provision webcontainer`) says `cold`: it took those measurements.
   */
  ingestSource?: 'client' | 'cold';
  /**
   * Signs and checks preview URLs (`sbx serve` keeps its secret in the state dir); default a signer with a
   * secret of this process only (its URLs die with it).
   */
  previewSigner?: PreviewSigner;
  /**
   * The E2B door's `domain` setting (returned to the SDK for `getHost()`); with it, a request to
   * `PORT-ID.DOMAIN` is that sandbox's preview port (see preview-host.ts and docs/e2b.md).
   */
  e2bDomain?: string;
}

/** The agent host's HTTP API (hono). */
export function createApp(deps: AppDeps, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const policy = deps.config.policy;
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

  app.get('/healthz', async (c) => {
    const engine = await deps.host.ping().then(
      () => 'reachable' as const,
      () => 'unreachable' as const,
    );
    // The store's state comes from the host's spool, never from a query: a database that is away answers nothing.
    const store = deps.storeHealth?.() ?? { status: 'ok' as const, spooled: 0, oldestAgeSeconds: 0 };
    const status = deps.host.closing ? 'closing' : store.status;
    return c.json({ status, engine, store, liveSandboxes: deps.host.liveCount });
  });

  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.use('/v1/sandboxes', serverTiming);
  sandboxRoutes(app, { host: deps.host, policy });
  poolRoutes(app, { host: deps.host });
  runtimeRoutes(app, { host: deps.host, policy });
  // Commands and log follows at once, per sandbox, tenant and host (429 above the policy's caps).
  const caps = new ConcurrencyCaps();
  lifecycleRoutes(app, { host: deps.host, policy, caps });
  const processes = new SandboxProcesses({ host: deps.host, policy });
  execRoutes(app, { host: deps.host, policy, caps, processes });
  processRoutes(app, { host: deps.host, policy, caps, processes });
  ptyRoute(app, { host: deps.host, policy, caps, processes });
  fileOpRoutes(app, { host: deps.host, policy, caps });
  fileRoutes(app, { host: deps.host, policy });
  portRoutes(app, { host: deps.host, policy, caps, signer });
  app.route(
    E2B_PREFIX,
    e2bDoor({
      host: deps.host,
      policy,
      caps,
      sandboxes: e2bSandboxes,
      ...(auth ? { auth } : {}),
      ...(options.e2bDomain ? { domain: options.e2bDomain } : {}),
    }),
  );

  // A provisioning measured elsewhere (the WebContainer page, any browser app): stored like docker's.
  const ingestRate = new RateLimiter(policy.ingestPerMinute);
  app.post(
    '/v1/provisions',
    async (c, next) => {
      const retryAfter = ingestRate.take(c.get('tenant'));
      if (retryAfter === 0) return next();
      c.header('Retry-After', String(retryAfter));
      return c.json(
        errorBody('RATE_LIMITED', `at most ${policy.ingestPerMinute} measurements a minute per tenant`),
        429,
      );
    },
    zValidator('json', ingestSchema, validationHook),
    async (c) => {
      const result = toProvisionResult(c.req.valid('json'));
      // Client-reported: shown apart (source `client`), never judged, since any token holder could forge it.
      await deps.host.recordExternal({
        ...result,
        attributes: { tenant: c.get('tenant'), source: options.ingestSource ?? 'client' },
      });
      return c.json({ recorded: true }, 201);
    },
  );

  app.get('/v1/provisions', zValidator('query', listQuerySchema, validationHook), async (c) => {
    const { type, limit } = c.req.valid('query');
    const rows = await deps.kpis.listRecent({ limit, ...(type ? { type } : {}) });
    return c.json({ rows: rows.map(({ tenant: _tenant, ...row }) => row) });
  });

  heavyReadRoutes(app, deps, options.heavyReads);
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

// Every answer: no MIME sniffing, no referrer leaks, no framing by other sites.
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  if (!c.res.headers.has('X-Frame-Options')) c.header('X-Frame-Options', 'DENY');
};

// A body that is not JSON is refused before anything reads it (a wrong content type is 415, not a field error);
// file uploads carry bytes (application/octet-stream) or a tar, a process's stdin any bytes.
const jsonBodiesOnly: MiddlewareHandler = async (c, next) => {
  const write = c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH';
  // A preview passes the sandbox's own bodies on (any type); signing its URL takes JSON like the rest.
  const preview = PORTS_PATH.test(c.req.path) && !PREVIEW_URL_PATH.test(c.req.path);
  if (write && !FILES_PATH.test(c.req.path) && !STDIN_PATH.test(c.req.path) && !preview) {
    const type = c.req.header('content-type') ?? '';
    // A body comes with a length or chunked (HTTP/1.1); only an in-process Request may have neither. `raw.body`
    // last: it builds a web stream over the request, where the node adapter reads the JSON directly.
    const length = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const hasBody = length === undefined ? chunked || c.req.raw.body !== null : length !== '0';
    if (hasBody && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      return c.json(
        errorBody(
          'UNSUPPORTED_MEDIA_TYPE',
          `send application/json, got ${JSON.stringify(type || 'no content type')}`,
        ),
        415,
      );
    }
  }
  await next();
};

function toResponse(response: HttpResponse): Response {
  return new Response(response.body as BodyInit, { status: response.status, headers: response.headers });
}
