// The routes of sandboxes (create, list, get, delete, exec, ttl, logs, files), described with the schemas their
// handlers validate with (see openapi-routes).
import { z } from 'zod';
import { sandboxBodySchemas } from '../kinds/sandbox-body.js';
import { poolRequestSchema } from '../service/pool-request.js';
import {
  createdSchema,
  execEventSchema,
  execResultSchema,
  logEventSchema,
  logsQuerySchema,
  sandboxInfoSchema,
  sandboxListSchema,
  ttlRequestSchema,
  ttlResultSchema,
} from './api-schemas.js';
import { NDJSON } from './exec-routes.js';
import { TAR } from './file-routes.js';
import {
  fileListSchema,
  fileReadQuerySchema,
  fileWriteQuerySchema,
  fileWrittenSchema,
} from './file-schemas.js';
import type { RouteDoc } from './openapi.js';
import { E400, E401, E404, E410, E415, err, sandboxErrors } from './openapi-responses.js';
import { startedSchema } from './process-schemas.js';
import { execRequestSchema } from './schemas.js';

/** The docs of the sandbox routes. */
export function sandboxRouteDocs(): RouteDoc[] {
  const createBody = z.union([...sandboxBodySchemas().values(), poolRequestSchema] as unknown as [
    z.ZodType,
    z.ZodType,
  ]);
  return [
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
  ];
}
