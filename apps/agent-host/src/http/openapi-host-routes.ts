// The routes of the host and its measurements (pools, runtimes, templates, provisions, KPIs, hosts, alerts, perf,
// metrics), described with the schemas their handlers validate with (see openapi-routes).
import { z } from 'zod';
import { poolListSchema, runtimeListSchema, templateListSchema } from './host-schemas.js';
import { ingestSchema } from './ingest-schema.js';
import type { RouteDoc } from './openapi.js';
import { anyJson, E400, E401, E415, E503, err } from './openapi-responses.js';
import { alertQuerySchema, kpiQuerySchema, listQuerySchema } from './schemas.js';

/** The docs of the host's and the measurement routes. */
export function hostRouteDocs(): RouteDoc[] {
  return [
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
  ];
}
