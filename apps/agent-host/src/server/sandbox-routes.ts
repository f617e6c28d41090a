import { isSandboxType, type SandboxType } from '@sbx/timing';
import type { Hono } from 'hono';
import { z } from 'zod';
import { SANDBOX_MODULES, sandboxModules } from '../adapters/registry.js';
import type { AppEnv } from '../auth/request-guard.js';
import type { SandboxPolicy } from '../policy/sandbox-policy.js';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import { describeIssues, errorBody } from './http-errors.js';
import { handOut, isPoolRequest } from './pool-routes.js';
import { failure, findSandbox } from './route-helpers.js';

const envelopeSchema = z.object({
  deadlineMs: z.number().int().positive().max(600_000).optional(),
});

/** What the sandbox routes need. */
export type SandboxRouteDeps = Pick<AgentHost, 'host'> & { policy: SandboxPolicy };

/**
 * `POST /v1/sandboxes` (any type, through the adapter registry) and `DELETE /v1/sandboxes/:id`; a tenant sees
 * only its own. Exec, files and lifecycle routes are in their own modules.
 */
export function sandboxRoutes(app: Hono<AppEnv>, deps: SandboxRouteDeps): void {
  const requestSchemas = sandboxBodySchemas();

  app.post('/v1/sandboxes', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(errorBody('INVALID_REQUEST', 'body: not valid JSON'), 400);
    }
    if (isPoolRequest(body)) return handOut(c, body, deps);
    const type = (body as { type?: unknown } | null)?.type;
    const schema = isSandboxType(type) ? requestSchemas.get(type) : undefined;
    if (!schema) return c.json(typeError(type), 400);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      return c.json(errorBody('INVALID_REQUEST', `${issues[0]?.path}: ${issues[0]?.message}`, issues), 400);
    }
    try {
      const sandboxType = type as SandboxType;
      const { deadlineMs } = parsed.data as { deadlineMs?: number };
      const spec = SANDBOX_MODULES[sandboxType].request?.toSpec(parsed.data as never, deps.policy);
      await deps.host.adapter(sandboxType)?.ping?.(); // an unreachable engine is a 503, not a recorded failure
      const { sandbox, result } = await deps.host.provision(sandboxType, spec, {
        tenant: c.get('tenant'),
        signal: c.req.raw.signal,
        ...(deadlineMs ? { deadlineMs } : {}),
      });
      const { phases = [], attributes: _attributes, ...summary } = result;
      return c.json({ id: sandbox.id, result: summary, phases }, 201);
    } catch (error) {
      return failure(c, error);
    }
  });

  app.delete('/v1/sandboxes/:id', async (c) => {
    const found = findSandbox(deps, c.req.param('id'), c.get('tenant'));
    if ('status' in found) return c.json(found.body, found.status);
    try {
      await deps.host.dispose(found.sandbox.id);
      return c.body(null, 204);
    } catch (error) {
      return failure(c, error);
    }
  });
}

function typeError(type: unknown) {
  const here = sandboxModules()
    .filter((m) => m.request)
    .map((m) => m.type);
  const elsewhere = isSandboxType(type) ? SANDBOX_MODULES[type].notProvisionedHere : undefined;
  const message =
    elsewhere ?? `must be one of ${here.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(type)}`;
  return errorBody('INVALID_REQUEST', `type: ${message}`, [{ path: 'type', message }]);
}

/** The body schema of each type the host provisions: the module's fields plus the envelope, strict. */
export function sandboxBodySchemas() {
  return new Map(
    sandboxModules().flatMap((m) =>
      m.request
        ? [
            [
              m.type,
              m.request.schema.extend({ type: z.literal(m.type), ...envelopeSchema.shape }).strict(),
            ] as const,
          ]
        : [],
    ),
  );
}
