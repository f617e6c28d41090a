import { DOCKER_NETWORKS } from '@sbx/bootstrap';
import { z } from 'zod';
import { TEMPLATE_NAME } from '../../templates/template-schema.js';

// A lone surrogate cannot be sent to the engine as UTF-8: it is the caller's mistake, caught here.
const text = () => z.string().regex(/^[^\p{Cs}]*$/u, 'must be valid Unicode (no lone surrogates)');

const commandSchema = z.union([
  text().trim().min(1, 'must not be empty'),
  z.array(text()).min(1, 'must have at least one word'),
]);

/** The longest a sandbox may live before `reap()` removes it: one week. */
export const MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The fields of `POST /v1/sandboxes` for a docker sandbox (besides `type`). */
export const dockerRequestSchema = z
  .object({
    image: text().trim().min(1, 'is required').optional(),
    template: z
      .string()
      .regex(TEMPLATE_NAME, 'must be a template name (GET /v1/templates lists the built ones)')
      .optional()
      .describe('a template built on the host (sbx template build NAME), instead of image'),
    cmd: commandSchema.optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), text()).optional(),
    workingDir: text().startsWith('/', 'must be an absolute path').optional(),
    ready: text().trim().min(1).max(1_000).optional(),
    pull: z
      .enum(['never', 'missing', 'always'])
      .optional()
      .describe(
        "default 'missing' from a registry the server allows (--allow-registry), else 'never'; asking another registry for a pull is 400",
      ),
    resources: z
      .object({
        memoryBytes: z.number().int().positive().optional(),
        cpus: z.number().positive().max(64).optional(),
        pids: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    readOnlyRootfs: z
      .boolean()
      .optional()
      .describe(
        'default the server policy (read-only, tmpfs at /tmp); false under a read-only policy is 400',
      ),
    user: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}(?::[A-Za-z0-9_.-]{1,64})?$/, 'must be NAME, UID or UID:GID')
      .optional(),
    ttlMs: z.number().int().positive().max(MAX_TTL_MS, `must be at most ${MAX_TTL_MS} (one week)`).optional(),
    runtime: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be an engine runtime name (GET /v1/runtimes lists them)')
      .optional()
      .describe("the engine runtime (runc, runsc, ...); default the engine's; the server policy allows each"),
    agent: z
      .boolean()
      .optional()
      .describe(
        'default true: run the in-sandbox agent (fast exec, processes, terminals) when it can start; false: Docker exec only',
      ),
    network: z
      .enum(DOCKER_NETWORKS as unknown as ['none', 'egress'])
      .optional()
      .describe('none (default): loopback only; egress: the engine bridge, if the server allows it'),
  })
  .strict();

/** A validated docker body of `POST /v1/sandboxes`. */
export type DockerRequest = z.infer<typeof dockerRequestSchema>;
