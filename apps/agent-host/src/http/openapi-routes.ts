// Every route the app serves, described with the schemas its handlers validate with. The drift test fails when
// the app serves a route this table does not describe, or the other way round.
import { z } from 'zod';
import { sandboxBodySchemas } from '../kinds/sandbox-body.js';
import { poolRequestSchema } from '../service/pool-request.js';
import {
  createdSchema,
  errorSchema,
  execEventSchema,
  execResultSchema,
  fileListSchema,
  fileReadQuerySchema,
  fileWriteQuerySchema,
  fileWrittenSchema,
  logEventSchema,
  logsQuerySchema,
  poolListSchema,
  runtimeListSchema,
  sandboxInfoSchema,
  sandboxListSchema,
  templateListSchema,
  ttlRequestSchema,
  ttlResultSchema,
} from './api-schemas.js';
import { NDJSON } from './exec-routes.js';
import { TAR } from './file-routes.js';
import { ingestSchema } from './ingest-schema.js';
import { buildOpenApi, type ResponseDoc, type RouteDoc } from './openapi.js';
import { fileAndPortRouteDocs } from './openapi-file-port-routes.js';
import { processRouteDocs } from './openapi-process-routes.js';
import { startedSchema } from './process-schemas.js';
import { alertQuerySchema, execRequestSchema, kpiQuerySchema, listQuerySchema } from './schemas.js';

const err = (description: string): ResponseDoc => ({ description, schema: errorSchema });
const anyJson = (description: string): ResponseDoc => ({
  description,
  schema: z.record(z.string(), z.unknown()),
});
const html = (description: string): ResponseDoc => ({
  description,
  contentType: 'text/html',
  schema: z.string(),
});

const E400 = err('invalid request: the field and the reason');
const E401 = err('no or unknown bearer token');
const E404 = err("no such sandbox (or another tenant's)");
const E410 = err('the sandbox is gone (exited, removed, expired or idle)');
const E415 = err('the body is not application/json');
const E503 = err('the engine is unreachable or the host is closing');
const sandboxErrors = { 400: E400, 401: E401, 404: E404, 410: E410 };

/** The routes of the API, for `GET /openapi.json`. */
export function apiRoutes(): RouteDoc[] {
  const createBody = z.union([...sandboxBodySchemas().values(), poolRequestSchema] as unknown as [
    z.ZodType,
    z.ZodType,
  ]);
  return [
    {
      method: 'get',
      path: '/healthz',
      summary: 'whether the host and its engine answer',
      auth: false,
      responses: {
        200: anyJson(
          'status (ok, degraded: results are spooled, down: the spool is full, closing), engine, store (status, spooled, oldestAgeSeconds, reason), live sandboxes',
        ),
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'this document',
      auth: false,
      responses: { 200: anyJson('the OpenAPI 3.1 document') },
    },
    {
      method: 'post',
      path: '/v1/sandboxes',
      summary: 'provision a sandbox (measured against its SLA), or take one from a warm pool ({ pool })',
      body: createBody,
      responses: {
        201: { description: 'provisioned', schema: createdSchema },
        400: E400,
        401: E401,
        404: err('no warm pool of that name'),
        415: E415,
        422: err('the image is not on the engine'),
        429: err('too many live sandboxes (Retry-After)'),
        503: err(
          'the engine is unreachable, the host is closing, or the database is unreachable and the spool is full (STORE_UNAVAILABLE)',
        ),
        504: err('the deadline or readiness timed out'),
      },
    },
    {
      method: 'get',
      path: '/v1/sandboxes',
      summary: "the caller's live sandboxes",
      responses: { 200: { description: 'live sandboxes', schema: sandboxListSchema }, 401: E401 },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id',
      summary: 'one live sandbox',
      responses: {
        200: { description: 'the sandbox', schema: sandboxInfoSchema },
        401: E401,
        404: E404,
        410: E410,
      },
    },
    {
      method: 'delete',
      path: '/v1/sandboxes/:id',
      summary: 'remove a sandbox',
      responses: { 204: { description: 'removed' }, 401: E401, 404: E404, 410: E410 },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/exec',
      summary:
        'run a command: buffered JSON, or NDJSON lines as output arrives with Accept: application/x-ndjson; background: true starts it through the in-sandbox agent (202 {pid})',
      body: execRequestSchema,
      responses: {
        200: {
          description: 'the result (JSON), or one ExecEvent a line ending with an exit line (NDJSON)',
          schema: execResultSchema,
          also: { [NDJSON]: execEventSchema },
        },
        202: { description: 'background: true: started', schema: startedSchema },
        ...sandboxErrors,
        403: err('user: the in-sandbox agent may not switch to that user'),
        409: err('user or background asked of a sandbox without the in-sandbox agent (AGENT_UNAVAILABLE)'),
        415: E415,
        429: err('too many commands at once in this sandbox or for this tenant (Retry-After)'),
        504: err('the command timed out (buffered form)'),
      },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/ttl',
      summary: "move the sandbox's expiry to ttlMs from now (within the policy's maxTtlMs of its creation)",
      body: ttlRequestSchema,
      responses: {
        200: { description: 'the new expiry', schema: ttlResultSchema },
        ...sandboxErrors,
        415: E415,
      },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/logs',
      summary: "the sandbox's own output as NDJSON; follow=1 streams until it ends",
      query: logsQuerySchema,
      responses: {
        200: {
          description: 'one LogEvent a line, an end line last',
          contentType: NDJSON,
          schema: logEventSchema,
        },
        ...sandboxErrors,
        429: err('too many follow=1 log reads open at once for this tenant or this host (Retry-After)'),
        501: err('this sandbox type has no logs'),
      },
    },
    {
      method: 'put',
      path: '/v1/sandboxes/:id/files',
      summary:
        'write the body to the file at path (parents created), or unpack a tar into the directory at path',
      query: fileWriteQuerySchema,
      body: {
        contentTypes: ['application/octet-stream', TAR],
        description: "the file's bytes, or a tar archive",
      },
      responses: {
        201: { description: 'written', schema: fileWrittenSchema },
        ...sandboxErrors,
        409: err('the path is on the read-only root filesystem'),
        413: err("over the policy's maxFileBytes, or a tar creating more than its maxUploadEntries"),
        429: err("over the policy's concurrent file transfers (per tenant or in all); Retry-After says when"),
        501: err('this sandbox type has no files API'),
      },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/files',
      summary:
        'read a file (octet-stream), a directory or any path as a tar (Accept: application/x-tar), or list a directory (list=1)',
      query: fileReadQuerySchema,
      responses: {
        200: {
          description:
            'the listing (list=1); else the bytes (X-Sbx-File-Mode says its mode) or a tar archive',
          schema: fileListSchema,
          also: { 'application/octet-stream': undefined, [TAR]: undefined },
        },
        ...sandboxErrors,
        413: err("over the policy's maxFileBytes"),
        429: err("over the policy's concurrent file transfers (per tenant or in all); Retry-After says when"),
        501: err('this sandbox type has no files API'),
      },
    },
    ...fileAndPortRouteDocs(),
    {
      method: 'get',
      path: '/v1/pools',
      summary: "the host's warm pools: size, ready, refilling, hits, misses, refill p50/p95",
      responses: { 200: { description: 'the warm pools', schema: poolListSchema }, 401: E401 },
    },
    {
      method: 'get',
      path: '/v1/runtimes',
      summary:
        "the engine's runtimes (runc, runsc, ...), which the server policy allows, and whether egress is",
      responses: {
        200: { description: 'the runtimes', schema: runtimeListSchema },
        401: E401,
        501: err('no sandbox type of this host has engine runtimes'),
        503: E503,
      },
    },
    {
      method: 'get',
      path: '/v1/templates',
      summary: 'the templates built on this host (sbx template build), usable as `template: NAME`',
      responses: {
        200: { description: 'the built templates', schema: templateListSchema },
        401: E401,
        503: E503,
      },
    },
    {
      method: 'post',
      path: '/v1/provisions',
      summary: 'record a provisioning measured elsewhere (a browser page)',
      body: ingestSchema,
      responses: {
        201: anyJson('recorded'),
        400: E400,
        401: E401,
        413: err('over 16 KiB'),
        415: E415,
        429: err('rate limited (Retry-After)'),
      },
    },
    {
      method: 'get',
      path: '/v1/provisions',
      summary: 'recent provisionings, newest first',
      query: listQuerySchema,
      responses: { 200: anyJson('{ rows }'), 400: E400, 401: E401 },
    },
    {
      method: 'get',
      path: '/v1/kpis',
      summary:
        "per type: SLA status, percentiles, phases, the split by source and by engine runtime (byRuntime); of the fleet, or of one agent host with ?host=, one runtime with ?runtime=. Failures by the caller's doing (callerFailures: a missing image, a command that exits before it is ready) and cancellations are counted apart and never judged",
      query: kpiQuerySchema,
      responses: { 200: anyJson('the KPI snapshot'), 400: E400, 401: E401 },
    },
    {
      method: 'get',
      path: '/v1/hosts',
      summary: 'the agent hosts that recorded provisionings into this database, most first',
      responses: {
        200: {
          description: '{ rows }',
          schema: z.object({
            rows: z.array(z.object({ hostId: z.string(), provisionings: z.number().int() })),
          }),
        },
        401: E401,
      },
    },
    {
      method: 'get',
      path: '/v1/alerts',
      summary: 'recent alerts, newest first',
      query: alertQuerySchema,
      responses: { 200: anyJson('{ rows }'), 400: E400, 401: E401 },
    },
    {
      method: 'get',
      path: '/v1/perf/report',
      summary: 'the perf report of sandbox runs',
      responses: { 200: anyJson('count, mean, max, p95, alerts'), 401: E401 },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      responses: {
        200: { description: 'Prometheus text', contentType: 'text/plain', schema: z.string() },
        401: E401,
        404: err('metrics are not enabled'),
      },
    },
    {
      method: 'get',
      path: '/login',
      summary: 'the dashboard sign-in (code= redeems a one-time login URL)',
      auth: false,
      responses: {
        200: html('the sign-in page'),
        303: { description: 'signed in: to the dashboard' },
        401: html('unknown code'),
      },
    },
    {
      method: 'post',
      path: '/login',
      summary: 'sign in to the dashboard with a token (form)',
      auth: false,
      body: { contentTypes: ['application/x-www-form-urlencoded'], description: 'token=...' },
      responses: { 303: { description: 'signed in: to the dashboard' }, 401: html('unknown token') },
    },
    {
      method: 'get',
      path: '/',
      summary: 'the dashboard',
      auth: false,
      responses: { 200: html('the dashboard'), 401: html('the sign-in page') },
    },
    {
      method: 'get',
      path: '/dashboard/*',
      summary: "the dashboard's assets",
      auth: false,
      responses: { 200: { description: 'an asset' }, 404: err('no such asset') },
    },
    {
      method: 'get',
      path: '/webcontainer',
      summary: 'the WebContainer measuring page',
      auth: false,
      responses: { 200: html('the page') },
    },
    {
      method: 'get',
      path: '/assets/*',
      summary: "the measuring page's modules",
      auth: false,
      responses: { 200: { description: 'an asset' }, 404: err('no such asset') },
    },
    ...processRouteDocs(),
  ];
}

let document: Record<string, unknown> | undefined;

/** The API's OpenAPI 3.1 document, generated once from the routes' own zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApi(
    {
      title: 'sbx agent host',
      version: '1.0.0',
      description:
        'Provision code-execution sandboxes, run commands in them (buffered or streamed as NDJSON), move files in and out, and measure it all. Errors are { error: { code, message, issues? } }.',
    },
    apiRoutes(),
  );
  return document;
}
