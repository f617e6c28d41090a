import type { ProvisionResult, SandboxType } from '@sbx/timing';
import { z } from 'zod';

/** The phases each sandbox type reports; anything else is refused. */
export const KNOWN_PHASES: Readonly<Record<SandboxType, readonly string[]>> = Object.freeze({
  docker: ['image', 'create', 'start', 'ready'],
  webcontainer: ['preflight', 'boot', 'mount', 'install', 'start', 'ready'],
});

/** Phases may overshoot the total by this much: the page reads its clock once more after the last phase. */
const PHASE_TOLERANCE_MS = 1;
const MAX_FUTURE_MS = 5 * 60_000;

const ms = z.number().finite('must be a finite number').nonnegative('must not be negative');

/** Body of `POST /v1/provisions`: a provisioning measured elsewhere (a browser page), described in docs/. */
export const ingestSchema = z
  .object({
    sandboxType: z.enum(['docker', 'webcontainer'], { error: "must be 'docker' or 'webcontainer'" }),
    durationMs: ms,
    status: z.enum(['ok', 'sla_breach']),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }),
    slaLimitMs: z.number().finite().positive(),
    phases: z
      .array(z.object({ name: z.string().min(1).max(32), startMs: ms, durationMs: ms }).strict())
      .max(16)
      .default([]),
    error: z
      .object({
        name: z.string().max(200),
        message: z.string().max(2_000),
        code: z.string().max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const known = KNOWN_PHASES[body.sandboxType];
    body.phases.forEach((phase, i) => {
      if (!known.includes(phase.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['phases', i, 'name'],
          message: `unknown phase; expected one of ${known.join(', ')}`,
        });
      } else if (phase.startMs + phase.durationMs > body.durationMs + PHASE_TOLERANCE_MS) {
        ctx.addIssue({ code: 'custom', path: ['phases', i], message: 'ends after the provisioning ended' });
      }
    });
    const breach = body.error !== undefined || body.durationMs > body.slaLimitMs;
    if ((body.status === 'sla_breach') !== breach) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: `must be '${breach ? 'sla_breach' : 'ok'}' for this duration, limit and error`,
      });
    }
    if (Date.parse(body.timestamp) > Date.now() + MAX_FUTURE_MS) {
      ctx.addIssue({ code: 'custom', path: ['timestamp'], message: 'is in the future' });
    }
  });

/** A validated ingest body. */
export type IngestBody = z.infer<typeof ingestSchema>;

/** The timing result the recorder stores for an ingest body. */
export function toProvisionResult(body: IngestBody): ProvisionResult {
  const result: ProvisionResult = {
    sandboxType: body.sandboxType,
    durationMs: body.durationMs,
    status: body.status,
    timestamp: new Date(body.timestamp),
    slaLimitMs: body.slaLimitMs,
    phases: body.phases,
  };
  if (body.error) result.error = body.error;
  return result;
}
