import { type ProvisionResult, type SandboxType, SLA_LIMITS } from '@sbx/timing';
import { z } from 'zod';

/** The phases each sandbox type reports; anything else is refused. */
export const KNOWN_PHASES: Readonly<Record<SandboxType, readonly string[]>> = Object.freeze({
  docker: ['image', 'create', 'start', 'ready', 'agent'],
  webcontainer: ['preflight', 'boot', 'mount', 'install', 'start', 'ready'],
});

/** How many times its type's SLA limit a reported provisioning (or phase) may take at most. */
export const MAX_INGEST_SLA_MULTIPLE = 6;
/**
 * The longest provisioning (and phase) a client may report for `type`: `MAX_INGEST_SLA_MULTIPLE` times its SLA
 * limit (60 s for a webcontainer, whose page gives up at its deadline, by default the 10 s limit itself). Longer is
 * no measurement but a forgery or a broken page: a 400.
 */
export function maxIngestDurationMs(type: SandboxType): number {
  return MAX_INGEST_SLA_MULTIPLE * SLA_LIMITS[type];
}
/** The longest duration any client may report (the largest `maxIngestDurationMs` of the ingestible types). */
export const MAX_INGEST_DURATION_MS = maxIngestDurationMs('webcontainer');
/** How far a reported start may be from the server's clock, either way: one day. */
export const MAX_INGEST_CLOCK_SKEW_MS = 24 * 3_600_000;

/** Phases may overshoot the total by this much: the page reads its clock once more after the last phase. */
const PHASE_TOLERANCE_MS = 1;

const ms = z
  .number()
  .finite('must be a finite number')
  .nonnegative('must not be negative')
  .max(
    MAX_INGEST_DURATION_MS,
    `must be at most ${MAX_INGEST_DURATION_MS} ms (${MAX_INGEST_SLA_MULTIPLE} x the webcontainer SLA of ${SLA_LIMITS.webcontainer} ms)`,
  );

/**
 * Body of `POST /v1/provisions`: a WebContainer provisioning measured in a browser page (docs/webcontainer-ingest.md).
 * Docker provisionings are measured by the host itself; the SLA limit is the server's, never the client's; no field
 * is ignored (an unknown one is a 400); the start must be within a day of the server's clock when it is validated;
 * no duration may pass `maxIngestDurationMs` of the type. Stored as source `client`: shown apart, never judged.
 */
export const ingestSchema = z
  .object({
    sandboxType: z.literal('webcontainer', {
      error: "must be 'webcontainer' (docker provisionings are measured by the host itself)",
    }),
    durationMs: ms,
    status: z.enum(['ok', 'sla_breach']),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }),
    slaLimitMs: z
      .never({
        error: `is the server's to set (${SLA_LIMITS.webcontainer} ms for webcontainer): leave it out`,
      })
      .optional(),
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
    const limit = SLA_LIMITS[body.sandboxType];
    const breach = body.error !== undefined || body.durationMs > limit;
    if ((body.status === 'sla_breach') !== breach) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: `must be '${breach ? 'sla_breach' : 'ok'}' for this duration and error (limit ${limit} ms)`,
      });
    }
    const skew = Date.parse(body.timestamp) - Date.now();
    if (Math.abs(skew) > MAX_INGEST_CLOCK_SKEW_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['timestamp'],
        message: `must be within a day of the server's clock (${skew > 0 ? 'ahead' : 'behind'} by ${Math.round(Math.abs(skew) / 3_600_000)} h)`,
      });
    }
  });

/** A validated ingest body. */
export type IngestBody = z.infer<typeof ingestSchema>;

/** The timing result the recorder stores for an ingest body, judged by the server's limit. */
export function toProvisionResult(body: IngestBody): ProvisionResult {
  const result: ProvisionResult = {
    sandboxType: body.sandboxType,
    durationMs: body.durationMs,
    status: body.status,
    timestamp: new Date(body.timestamp),
    slaLimitMs: SLA_LIMITS[body.sandboxType],
    phases: body.phases,
  };
  if (body.error) result.error = body.error;
  return result;
}
