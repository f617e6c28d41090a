// The answers of the host's own routes (pools, runtimes, templates), as the routes and the OpenAPI document use them.
import { z } from 'zod';

/** `GET /v1/pools`: each warm pool's size, ready members, refills under way, hits, misses and refill p50/p95. */
export const poolListSchema = z
  .object({
    pools: z.array(
      z
        .object({
          name: z.string(),
          type: z.string(),
          size: z.number(),
          ready: z.number(),
          refilling: z.number(),
          hits: z.number(),
          misses: z.number(),
          dropped: z.number(),
          refillFailures: z.number(),
          stoppedBy: z
            .string()
            .optional()
            .describe(
              'the error code that stopped the refills for good (a missing image, ...); absent while they go on',
            ),
          refillP50Ms: z.number().optional(),
          refillP95Ms: z.number().optional(),
        })
        .loose(),
    ),
  })
  .meta({ id: 'PoolList' });

/** `GET /v1/runtimes`. */
export const runtimeListSchema = z
  .object({
    type: z.string().describe('the sandbox type whose engine offers them (docker)'),
    default: z.string().describe("the engine's default runtime, always allowed"),
    allowNetwork: z.boolean().describe('whether sandboxes may ask for network "egress" (--allow-network)'),
    runtimes: z.array(
      z.object({
        name: z.string(),
        default: z.boolean(),
        allowed: z.boolean().describe('the server policy allows it (--allow-runtime)'),
        egress: z.boolean().describe('false when registered with --network=none: loopback only'),
      }),
    ),
  })
  .meta({ id: 'RuntimeList' });

/** `GET /v1/templates`. */
export const templateListSchema = z
  .object({
    templates: z.array(
      z.object({
        name: z.string().describe('what `template: NAME` asks for'),
        hash: z.string().nullable().describe('the content hash its latest build was made from'),
        sizeBytes: z.number(),
        createdAt: z.string(),
        ready: z.string().nullable().describe('its readiness probe, used when a request gives none'),
      }),
    ),
  })
  .meta({ id: 'TemplateList' });
