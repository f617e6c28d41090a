// The zod schemas of the sandbox API's requests and answers: the routes validate with them and the OpenAPI
// document (GET /openapi.json) is generated from them, so the contract has one source.
import { z } from 'zod';

/** The error body of every failure. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** A provisioning's outcome, as `POST /v1/sandboxes` answers it. */
export const createdSchema = z
  .object({
    id: z.string(),
    result: z.record(z.string(), z.unknown()),
    phases: z.array(z.object({ name: z.string(), durationMs: z.number() }).loose()),
    /** Asked of a warm pool: `pool` a ready member was handed out, `cold` the pool was empty. */
    source: z.enum(['pool', 'cold']).optional(),
    /** The warm pool asked of. */
    pool: z.string().optional(),
  })
  .meta({ id: 'Created' });

/** A live sandbox of the caller. */
export const sandboxInfoSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    state: z.literal('live'),
    image: z.string().nullable(),
    runtime: z
      .string()
      .nullable()
      .describe('the engine runtime it runs on (runc, runsc), where its type has one'),
    network: z.string().nullable().describe('none (loopback only) or egress, where its type has one'),
    agent: z
      .boolean()
      .describe(
        'the in-sandbox agent answers: processes, terminals and fast exec; false: commands run through the engine',
      ),
    pool: z.string().nullable(),
    createdAt: z.string().describe('ISO 8601'),
    expiresAt: z.string().describe("ISO 8601; the host's own expiry (POST .../ttl moves it)"),
    lastActiveAt: z.string().describe('ISO 8601: the end of the last command or file call'),
  })
  .meta({ id: 'Sandbox' });

/** `GET /v1/sandboxes`. */
export const sandboxListSchema = z
  .object({ sandboxes: z.array(sandboxInfoSchema) })
  .meta({ id: 'SandboxList' });

/** The buffered answer of `POST /v1/sandboxes/:id/exec`. */
export const execResultSchema = z
  .object({
    exitCode: z.number().int(),
    stdout: z.string(),
    stderr: z.string(),
    stdoutTruncated: z.boolean(),
    stderrTruncated: z.boolean(),
    durationMs: z.number(),
    outcome: z.enum(['success', 'timeout', 'error']),
    alertFired: z.boolean(),
  })
  .meta({ id: 'ExecResult' });

/** One output line of a streamed exec or log: UTF-8 text, or base64 when the bytes are not valid UTF-8. */
export const outputEventSchema = z
  .object({
    stream: z.enum(['stdout', 'stderr']),
    data: z.string(),
    encoding: z
      .literal('base64')
      .optional()
      .describe('present when `data` is base64 (bytes not valid UTF-8)'),
  })
  .meta({ id: 'OutputEvent' });

/** The last line of a streamed exec. */
export const exitEventSchema = z
  .object({
    exit: z.object({
      exitCode: z.number().int().describe('-1 when the command did not end by itself (timeout, error)'),
      durationMs: z.number(),
      outcome: z.enum(['success', 'timeout', 'error']),
      truncated: z.boolean(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  })
  .meta({ id: 'ExitEvent' });

/** One line of `application/x-ndjson` from `POST /v1/sandboxes/:id/exec`. */
export const execEventSchema = z.union([outputEventSchema, exitEventSchema]).meta({ id: 'ExecEvent' });

/** The last line of a log stream. */
export const logEndEventSchema = z
  .object({ end: z.object({ truncated: z.boolean() }) })
  .meta({ id: 'LogEndEvent' });

/** One line of `application/x-ndjson` from `GET /v1/sandboxes/:id/logs`. */
export const logEventSchema = z.union([outputEventSchema, logEndEventSchema]).meta({ id: 'LogEvent' });

/** Body of `POST /v1/sandboxes/:id/ttl`. */
export const ttlRequestSchema = z
  .object({
    ttlMs: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 60 * 60 * 1000),
  })
  .strict()
  .meta({ id: 'TtlRequest' });

/** Answer of `POST /v1/sandboxes/:id/ttl`. */
export const ttlResultSchema = z.object({ expiresAt: z.string() }).meta({ id: 'TtlResult' });

/** Query of `GET /v1/sandboxes/:id/logs`. */
export const logsQuerySchema = z
  .object({
    follow: z.enum(['0', '1']).optional().describe('1: keep streaming new output until the sandbox ends'),
    tail: z.coerce.number().int().min(1).max(10_000).optional().describe('only the last N lines so far'),
  })
  .strict();
