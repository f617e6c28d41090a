// Every route the app serves, described with the schemas its handlers validate with. The drift test fails when
// the app serves a route this table does not describe, or the other way round. Each area's docs are in their own
// file; the order here is the document's.
import { buildOpenApi, type RouteDoc } from './openapi.js';
import { fileAndPortRouteDocs } from './openapi-file-port-routes.js';
import { hostRouteDocs } from './openapi-host-routes.js';
import { pageRouteDocs } from './openapi-page-routes.js';
import { processRouteDocs } from './openapi-process-routes.js';
import { anyJson } from './openapi-responses.js';
import { sandboxRouteDocs } from './openapi-sandbox-routes.js';

/** The routes of the API, for `GET /openapi.json`. */
export function apiRoutes(): RouteDoc[] {
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
    ...sandboxRouteDocs(),
    ...fileAndPortRouteDocs(),
    ...hostRouteDocs(),
    ...pageRouteDocs(),
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
