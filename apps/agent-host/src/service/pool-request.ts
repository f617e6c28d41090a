import { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { AgentHostError } from '../errors.js';

/** `POST /v1/sandboxes` from a warm pool: its name, and optionally the deadline of a cold miss. */
export const poolRequestSchema = z
  .object({
    pool: z.string().min(1).max(64),
    deadlineMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict();

/** A valid pool request. */
export type PoolRequest = z.infer<typeof poolRequestSchema>;

/** True when a `POST /v1/sandboxes` body asks for a warm pool's sandbox (`{ "pool": NAME }`). */
export function isPoolRequest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'pool' in body;
}

/** The pool request in `body`, or `INVALID_REQUEST` naming the first field that is wrong (all issues listed). */
export function parsePoolRequest(body: unknown): PoolRequest {
  const parsed = poolRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new AgentHostError('INVALID_REQUEST', `${issues[0]?.path}: ${issues[0]?.message}`, { issues });
}
