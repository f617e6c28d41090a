// The process and terminal routes, described with the schemas their handlers validate with (see openapi-routes).
import { z } from 'zod';
import { outputEventSchema } from './api-schemas.js';
import { NDJSON } from './exec-routes.js';
import type { RouteDoc } from './openapi.js';
import { err } from './openapi-responses.js';
import {
  processExitEventSchema,
  processListSchema,
  ptyQuerySchema,
  signalRequestSchema,
  stdinQuerySchema,
} from './process-schemas.js';

const E409 = err('the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE)');
const common = {
  400: err('invalid request: the field and the reason (a pid is an integer from 1 to 2147483647)'),
  401: err('no or unknown bearer token'),
  404: err("no such sandbox (or another tenant's), or no such process (PROCESS_NOT_FOUND)"),
  409: E409,
  410: err('the sandbox is gone (exited, removed, expired or idle)'),
};

/** One NDJSON line of `GET .../processes/:pid/output`. */
export const processOutputEventSchema = z
  .union([outputEventSchema, processExitEventSchema])
  .meta({ id: 'ProcessOutputEvent' });

/** The docs of the process and terminal routes. */
export function processRouteDocs(): RouteDoc[] {
  return [
    {
      method: 'get',
      path: '/v1/sandboxes/:id/processes',
      summary: "the sandbox's processes (running, and ended background ones kept with their output)",
      responses: { 200: { description: 'the processes', schema: processListSchema }, ...common },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/processes/:pid/output',
      summary:
        "re-attach to a process's output: what was kept (1 MiB per stream), then live output, then its exit",
      responses: {
        200: {
          description: 'one OutputEvent a line, a ProcessExitEvent line last',
          contentType: NDJSON,
          schema: processOutputEventSchema,
        },
        ...common,
        429: err('too many follows (log follows and process outputs) open at once (Retry-After)'),
      },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/processes/:pid/signal',
      summary: "send a signal to a process's group",
      body: signalRequestSchema,
      responses: {
        200: {
          description: 'sent',
          schema: z.object({ pid: z.number().int(), signal: z.string() }),
        },
        ...common,
        415: err('the body is not application/json'),
      },
    },
    {
      method: 'post',
      path: '/v1/sandboxes/:id/processes/:pid/stdin',
      summary: "write the raw body (at most 1 MiB) to a process's stdin; eof=true closes it after",
      query: stdinQuerySchema,
      body: { contentTypes: ['application/octet-stream'], description: 'the bytes to write' },
      responses: {
        200: {
          description: 'written',
          schema: z.object({ pid: z.number().int(), bytes: z.number().int(), eof: z.boolean() }),
        },
        ...common,
        413: err('the body is over 1 MiB'),
      },
    },
    {
      method: 'get',
      path: '/v1/sandboxes/:id/pty',
      summary:
        'a terminal as a WebSocket (Upgrade: websocket, bearer token): binary messages are bytes both ways, text messages JSON {"resize":{"cols","rows"}} in and one {"exit":{...}} out',
      query: ptyQuerySchema,
      responses: {
        101: { description: 'switched to the WebSocket protocol' },
        ...common,
        403: err('opened by a page of another origin'),
        426: err('not a WebSocket upgrade'),
        429: err('too many commands at once in this sandbox or for this tenant (Retry-After)'),
      },
    },
  ];
}
