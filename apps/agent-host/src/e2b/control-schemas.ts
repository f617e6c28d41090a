import { z } from 'zod';

const METADATA_KEYS = 64;
const ENV_VARS = 128;

const METADATA_CHARS = 16_384;
// Printable text: keys and values become container labels.
const PRINTABLE = /^\P{Cc}*$/u;

/**
 * `metadata` of a new sandbox, stored with it as labels (`e2b.metadata.KEY`, sandbox-labels.ts): at most 64 pairs of
 * printable strings, each key 1-128 and value up to 1,024 characters, 16,384 characters in all.
 */
export const metadataSchema = z
  .record(
    z.string().min(1).max(128).regex(PRINTABLE, 'keys must be printable text'),
    z.string().max(1_024).regex(PRINTABLE, 'values must be printable text'),
  )
  .refine((m) => Object.keys(m).length <= METADATA_KEYS, `at most ${METADATA_KEYS} keys`)
  .refine(
    (m) => Object.entries(m).reduce((n, [k, v]) => n + k.length + v.length, 0) <= METADATA_CHARS,
    `at most ${METADATA_CHARS} characters of keys and values in all`,
  );

/** `POST /v2/sandboxes` (and `/sandboxes`): the fields the SDK sends; others it may send are ignored. */
export const createSandboxSchema = z
  .object({
    templateID: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a template or pool name'),
    timeout: z.number().int().min(1).optional(),
    metadata: metadataSchema.optional(),
    envVars: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a variable name'),
        z.string().max(32_768),
      )
      .refine((m) => Object.keys(m).length <= ENV_VARS, `at most ${ENV_VARS} variables`)
      .optional(),
    autoPause: z.boolean().optional(),
    autoPauseMemory: z
      .literal(true, { error: 'a pause here keeps memory (the engine freezes the processes): leave it true' })
      .optional(),
    autoResume: z
      .object({
        enabled: z.literal(false, { error: 'autoResume is not supported here: connect resumes a sandbox' }),
      })
      .loose()
      .optional(),
    secure: z.boolean().optional(),
    allow_internet_access: z.boolean().optional(),
  })
  .loose();

/** `POST /sandboxes/{id}/timeout`: the new timeout in seconds from now. */
export const timeoutSchema = z.object({ timeout: z.number().int().min(0) }).loose();

/** `POST /v2/sandboxes/{id}/connect`: an optional new timeout in seconds. */
export const connectSchema = z.object({ timeout: z.number().int().min(0).optional() }).loose();

/** `GET /v2/sandboxes` query: `metadata` (url-encoded pairs), `state`, `limit` (1-100), `nextToken`. */
export const listQuerySchema = z.object({
  metadata: z.string().max(8_192).optional(),
  state: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  nextToken: z.string().max(256).optional(),
});

/** Parses the list's `metadata` filter (`k=v&k2=v2`, each part url-encoded once more by the SDK). */
export function parseMetadataFilter(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const filter: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    filter[safeDecode(key)] = safeDecode(value);
  }
  return filter;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
