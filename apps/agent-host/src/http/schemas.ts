import { SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { z } from 'zod';
import { RUNTIME_NAME } from '../core/sandbox-policy.js';

/** The fields a process started through the in-sandbox agent may have (its own limits: PROTOCOL.md). */
export const processFields = {
  cwd: z
    .string()
    .min(1)
    .max(4096)
    .startsWith('/', 'must be an absolute path inside the sandbox')
    .regex(/^[^\0]*$/, 'must not contain NUL'),
  env: z
    .record(
      z.string().regex(/^[^=\0]{1,1024}$/, "names are 1-1024 characters without '=' or NUL"),
      z.string().regex(/^[^\0]*$/, 'must not contain NUL'),
    )
    .refine((env) => Object.keys(env).length <= 1024, 'at most 1024 variables'),
  user: z
    .string()
    .regex(
      /^(?:[A-Za-z_][\w.-]{0,63}|\d{1,10}(?::\d{1,10})?)$/,
      'must be a user name, a uid, or uid:gid (e.g. "node", "1000", "1000:1000")',
    ),
};

const commandSchema = z.union([
  z.string().trim().min(1, 'must not be empty'),
  z.array(z.string()).min(1, 'must have at least one word'),
]);

/** Body of `POST /v1/sandboxes/:id/exec`. */
export const execRequestSchema = z
  .object({
    cmd: commandSchema,
    timeoutMs: z.number().int().positive().max(3_600_000).optional(),
    /** Written to the command's standard input, then closed (the body limit bounds it). */
    stdin: z.string().optional(),
    cwd: processFields.cwd.optional(),
    env: processFields.env.optional(),
    user: processFields.user.optional(),
    background: z.boolean().optional(),
  })
  .strict();

/** Query of `GET /v1/provisions`: newest first, at most `limit` (default 100, at most 1000). */
export const listQuerySchema = z
  .object({
    type: z.enum(SANDBOX_TYPES as [SandboxType, ...SandboxType[]]).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
  })
  .strict();

/** Query of `GET /v1/alerts`: newest first. */
export const alertQuerySchema = z
  .object({
    kind: z.enum(['overhead-alert', 'sla-breach']).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(50),
  })
  .strict();

/**
 * Query of `GET /v1/kpis`: the fleet's snapshot, or one agent host's with `host` (its `--host-id`), one engine
 * runtime's with `runtime` (`runc`, `runsc`), or both.
 */
export const kpiQuerySchema = z
  .object({
    host: z
      .string()
      .regex(/^[\w.:-]{1,128}$/, "must be 1-128 letters, digits, '.', '_', ':' or '-'")
      .optional(),
    runtime: z
      .string()
      .regex(RUNTIME_NAME, "must be 1-64 letters, digits, '.', '_' or '-' (an engine runtime, e.g. runsc)")
      .optional(),
  })
  .strict();
