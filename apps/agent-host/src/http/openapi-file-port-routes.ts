// The file operation, watch and preview port routes, described with the schemas their handlers validate with.
import { z } from 'zod';
import { NDJSON } from './exec-routes.js';
import {
  fileListQuerySchema,
  filePathEntrySchema,
  filePathListSchema,
  fileRemoveQuerySchema,
  fileStatQuerySchema,
  fileWatchQuerySchema,
  mkdirRequestSchema,
  mkdirResultSchema,
  moveRequestSchema,
  watchEventSchema,
} from './file-op-schemas.js';
import type { RouteDoc } from './openapi.js';
import { err } from './openapi-responses.js';
import { previewUrlRequestSchema, previewUrlSchema } from './port-routes.js';

const common = {
  400: err('invalid request: the field and the reason'),
  401: err('no or unknown bearer token'),
  404: err("no such sandbox (or another tenant's), or nothing at the path"),
  410: err('the sandbox is gone (exited, removed, expired or idle)'),
};
const noAgent = err('the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE)');
const refused = err('in the way: NOT_A_DIRECTORY, IS_A_DIRECTORY, FILE_EXISTS; or AGENT_UNAVAILABLE');

/** The routes of files through the in-sandbox agent, watches and preview ports, for `GET /openapi.json`. */
export function fileAndPortRouteDocs(): RouteDoc[] {
  const preview: RouteDoc['responses'] = {
    200: { description: "the answer of the sandbox's server (any status it sends, any body)" },
    303: {
      description: 'a signed token in the query became a cookie of this path; go to the same URL without it',
    },
    ...common,
    409: noAgent,
    429: err('over the preview connections per sandbox or tenant (Retry-After)'),
    502: err(
      'PORT_CLOSED: nothing listens on 127.0.0.1:PORT in the sandbox; PORT_FAILED: no valid HTTP answer',
    ),
  };
  return [
    {
      method: 'get',
      path: '/v1/sandboxes/:id/files/stat',
      summary: 'what is at path (a link as a link), as the sandbox user or user',
      query: fileStatQuerySchema,
      responses: { 200: { description: 'the entry', schema: filePathEntrySchema }, ...common, 409: noAgent },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/files/list',
      summary: 'the entries under a directory, depth-first to depth (1..16)',
      query: fileListQuerySchema,
      responses: { 200: { description: 'the entries', schema: filePathListSchema }, ...common, 409: refused },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/files/mkdir',
      summary: 'mkdir -p path',
      body: mkdirRequestSchema,
      responses: {
        200: { description: 'it was there already (created: false)', schema: mkdirResultSchema },
        201: { description: 'created', schema: mkdirResultSchema },
        ...common,
        403: err('PERMISSION_DENIED for that user'),
        409: refused,
      },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/files/move',
      summary: 'rename from to to (parents of to created)',
      body: moveRequestSchema,
      responses: {
        200: { description: 'moved', schema: z.object({ from: z.string(), to: z.string() }) },
        ...common,
        403: err('PERMISSION_DENIED for that user'),
        409: refused,
      },
    },
    {
      method: 'delete',
      path: '/v1/sandboxes/:id/files',
      summary: 'remove path, recursively',
      query: fileRemoveQuerySchema,
      responses: { 204: { description: 'removed' }, ...common, 403: err('PERMISSION_DENIED'), 409: noAgent },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/files/watch',
      summary: 'the changes under path as they happen (NDJSON, until you disconnect)',
      query: fileWatchQuerySchema,
      responses: {
        200: { description: 'one WatchEvent a line', contentType: NDJSON, schema: watchEventSchema },
        ...common,
        409: noAgent,
        429: err('over the file watches open per tenant'),
      },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/ports/:port/url',
      summary: 'a signed URL of the preview of port, for a browser (no token needed until it expires)',
      body: previewUrlRequestSchema,
      responses: { 200: { description: 'the URL', schema: previewUrlSchema }, ...common, 409: noAgent },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/ports/:port',
      summary: 'the preview of port: redirects to its path with a slash',
      responses: { 308: { description: 'to .../ports/PORT/' }, ...preview },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/ports/:port/*',
      summary:
        'any method: the request passed to 127.0.0.1:PORT inside the sandbox (HTTP or a WebSocket upgrade); bearer token or a signed sbx_preview token (query or cookie)',
      responses: preview,
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/tunnels/:port',
      summary:
        'with Connection: Upgrade and Upgrade: sbx-tunnel: raw TCP to 127.0.0.1:PORT inside the sandbox',
      responses: {
        101: { description: 'switched: bytes both ways' },
        426: err('send Connection: Upgrade and Upgrade: sbx-tunnel'),
        ...common,
        409: noAgent,
        502: err('PORT_CLOSED: nothing listens there'),
      },
    },
  ];
}
