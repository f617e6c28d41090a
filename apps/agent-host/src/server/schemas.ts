import { z } from 'zod';

const commandSchema = z.union([
  z.string().trim().min(1, 'must not be empty'),
  z.array(z.string()).min(1, 'must have at least one word'),
]);

/** Body of `POST /v1/sandboxes`. */
export const provisionRequestSchema = z
  .object({
    type: z.literal('docker', {
      error: "must be 'docker' (webcontainers are provisioned in a browser page)",
    }),
    image: z.string().trim().min(1, 'is required'),
    cmd: commandSchema.optional(),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), z.string())
      .optional(),
    workingDir: z.string().startsWith('/', 'must be an absolute path').optional(),
    ready: z.string().trim().min(1).optional(),
    pull: z.enum(['never', 'missing', 'always']).optional(),
    resources: z
      .object({
        memoryBytes: z.number().int().positive().optional(),
        cpus: z.number().positive().max(64).optional(),
        pids: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    deadlineMs: z.number().int().positive().max(600_000).optional(),
    ttlMs: z.number().int().positive().optional(),
  })
  .strict();

/** A validated `POST /v1/sandboxes` body. */
export type ProvisionRequest = z.infer<typeof provisionRequestSchema>;

/** Body of `POST /v1/sandboxes/:id/exec`. */
export const execRequestSchema = z
  .object({
    cmd: commandSchema,
    timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  })
  .strict();

/** Query of `GET /v1/provisions`: newest first, at most `limit` (default 100, at most 1000). */
export const listQuerySchema = z
  .object({
    type: z.enum(['docker', 'webcontainer']).optional(),
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

/** Turns zod issues into `{ path, message }` pairs a client can act on. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
