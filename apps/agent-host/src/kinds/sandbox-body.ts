import { isSandboxType, type SandboxType } from '@sbx/timing';
import { z } from 'zod';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { describeIssues } from '../describe-issues.js';
import { AgentHostError, isAgentHostError } from '../errors.js';
import { buildCommandFor } from '../templates/template-catalog.js';
import { SANDBOX_MODULES, sandboxModules } from './registry.js';

/** Fields of `POST /v1/sandboxes` every type shares. */
export const envelopeSchema = z.object({
  deadlineMs: z.number().int().positive().max(600_000).optional(),
});

/** A `POST /v1/sandboxes` body, validated and turned into its type's spec within the server's policy. */
export interface SandboxBody {
  type: SandboxType;
  spec: unknown;
  deadlineMs?: number;
  /** The template the body names (`template: NAME`): `admitSandboxBody` checks it is built and pins it. */
  template?: string;
}

let schemas: Map<SandboxType, z.ZodObject> | undefined;

/**
 * Validates a `POST /v1/sandboxes` body of any type the host provisions (the type's fields plus the envelope,
 * strict) and applies the policy. Throws `AgentHostError` (`INVALID_REQUEST`, `INVALID_IMAGE`, `POLICY_LIMIT`)
 * whose message names the field, prefixed by `path` (`spec.` for a pool's spec).
 */
export function parseSandboxBody(body: unknown, policy: SandboxPolicy, path = ''): SandboxBody {
  schemas ??= sandboxBodySchemas();
  const type = (body as { type?: unknown } | null)?.type;
  const schema = isSandboxType(type) ? schemas.get(type) : undefined;
  if (!schema) {
    const here = [...schemas.keys()].map((t) => `'${t}'`).join(', ');
    const elsewhere = isSandboxType(type) ? SANDBOX_MODULES[type].notProvisionedHere : undefined;
    const message = elsewhere ?? `must be one of ${here}, got ${JSON.stringify(type)}`;
    throw new AgentHostError('INVALID_REQUEST', `${path}type: ${message}`, {
      issues: [{ path: `${path}type`, message }],
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error).map((i) => ({ ...i, path: `${path}${i.path}` }));
    throw new AgentHostError('INVALID_REQUEST', `${issues[0]?.path}: ${issues[0]?.message}`, { issues });
  }
  const { deadlineMs } = parsed.data as { deadlineMs?: number };
  const sandboxType = type as SandboxType;
  try {
    const request = SANDBOX_MODULES[sandboxType].request;
    const spec = request?.toSpec(parsed.data as never, policy);
    const template = request?.template?.(parsed.data as never);
    return {
      type: sandboxType,
      spec,
      ...(deadlineMs ? { deadlineMs } : {}),
      ...(template ? { template } : {}),
    };
  } catch (error) {
    if (error instanceof AgentHostError && path !== '') {
      throw new AgentHostError(error.code, `${path}${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Holds a parsed body to what its backend offers (an engine runtime the policy allows and the engine has),
 * before anything is provisioned; a no-op for a type without such checks. The adapter keeps the runtimes it
 * read; a name it does not know is looked up once more (the engine may have been reloaded). Throws like
 * `parseSandboxBody` (`POLICY_LIMIT`, `RUNTIME_NOT_FOUND`, `INVALID_REQUEST`), or the adapter's engine error.
 * A body naming a template gets its built image (`body.spec` is replaced), or `TEMPLATE_NOT_FOUND` (a 400 naming
 * the build command) when the backend has not built it.
 */
export async function admitSandboxBody(
  body: SandboxBody,
  policy: SandboxPolicy,
  adapter: HostSandboxAdapter | undefined,
  path = '',
): Promise<void> {
  await admitTemplate(body, adapter, path);
  const admit = SANDBOX_MODULES[body.type].request?.admit;
  if (!admit || !adapter?.listRuntimes) return;
  const name = (field: string) => `${path}${field}`;
  try {
    admit(body.spec, policy, await adapter.listRuntimes(), name);
  } catch (error) {
    if (!isAgentHostError(error, 'RUNTIME_NOT_FOUND')) throw error;
    admit(body.spec, policy, await adapter.listRuntimes({ fresh: true }), name);
  }
}

/** The body schema of each type the host provisions: the module's fields plus the envelope, strict. */
export function sandboxBodySchemas(): Map<SandboxType, z.ZodObject> {
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

async function admitTemplate(
  body: SandboxBody,
  adapter: HostSandboxAdapter | undefined,
  path: string,
): Promise<void> {
  const name = body.template;
  const apply = SANDBOX_MODULES[body.type].request?.applyTemplate;
  if (name === undefined || !apply) return;
  const found = adapter?.listTemplates
    ? (await adapter.listTemplates()).find((t) => t.name === name)
    : undefined;
  if (!found) {
    const message = `template ${JSON.stringify(name)} is not built on this host: run \`${buildCommandFor(name)}\` there (GET /v1/templates lists the built ones)`;
    throw new AgentHostError('TEMPLATE_NOT_FOUND', `${path}template: ${message}`, {
      issues: [{ path: `${path}template`, message }],
    });
  }
  body.spec = apply(body.spec, found);
}
