import { parseReadinessProbe } from '@sbx/bootstrap';
import { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { AgentHostError } from '../errors.js';

/** A template name: what `template: NAME` asks for and the repository of its image (`sbx-template/NAME`). */
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** The image repository every template is tagged in: `sbx-template/NAME:HASH` and `sbx-template/NAME:latest`. */
export const TEMPLATE_REPOSITORY = 'sbx-template';

/** Bounds of a template file: it is read whole and hashed, and each field ends up in an image. */
export const TEMPLATE_LIMITS = Object.freeze({
  fileBytes: 256 * 1024,
  packages: 200,
  files: 64,
  fileContentBytes: 64 * 1024,
  stepsBytes: 16 * 1024,
});

const text = () => z.string().regex(/^[^\p{Cs}\0]*$/u, 'must be valid Unicode without NUL');
const absolutePath = () =>
  text()
    .regex(/^\/[^\n]*$/, 'must be an absolute path on one line')
    .refine((p) => !p.split('/').includes('..'), 'must not contain ..')
    .refine((p) => p.length <= 255, 'must be at most 255 characters');

/** The declarative template file (JSON), validated before anything runs. */
export const templateSchema = z
  .object({
    name: z.string().regex(TEMPLATE_NAME, 'must be lower-case letters, digits, _ or - (at most 40)'),
    description: text().max(200).optional(),
    suite: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be a Debian suite name (bookworm, trixie, ...)')
      .default('bookworm'),
    packages: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9+.-]{0,99}$/, 'must be a Debian package name'))
      .max(TEMPLATE_LIMITS.packages)
      .default([]),
    files: z
      .array(
        z
          .object({
            path: absolutePath(),
            content: text().max(TEMPLATE_LIMITS.fileContentBytes),
            mode: z.number().int().min(0).max(0o777).optional(),
          })
          .strict(),
      )
      .max(TEMPLATE_LIMITS.files)
      .default([]),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'),
        text()
          .max(4096)
          .regex(/^[^\n\r]*$/, 'must be one line'),
      )
      .default({}),
    workingDir: absolutePath().optional(),
    user: z
      .object({
        name: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Unix user name'),
        uid: z.number().int().min(1).max(65_533),
        home: absolutePath(),
      })
      .strict()
      .default({ name: 'user', uid: 1000, home: '/home/user' }),
    cmd: z.array(text().max(4096)).min(1).max(64).default(['sleep', 'infinity']),
    ready: text()
      .max(1_000)
      .refine(
        (probe) => safe(() => parseReadinessProbe(probe)),
        'must be a readiness probe (log:REGEX | exec:CMD | port:N | http:PATH | healthcheck | running)',
      )
      .default('running'),
    dockerfile: text().max(TEMPLATE_LIMITS.stepsBytes).optional(),
  })
  .strict();

/** A validated template, defaults applied. */
export type TemplateDefinition = z.infer<typeof templateSchema>;

/**
 * Validates a template's JSON text; `where` (a path, or `built-in NAME`) prefixes the one-line
 * `INVALID_CONFIG` error that names the first wrong field.
 */
export function parseTemplate(text: string, where: string): TemplateDefinition {
  if (Buffer.byteLength(text) > TEMPLATE_LIMITS.fileBytes) {
    throw invalid(where, `is larger than ${TEMPLATE_LIMITS.fileBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(where, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = templateSchema.safeParse(json);
  if (!parsed.success) {
    const [first] = describeIssues(parsed.error);
    throw invalid(where, `${first?.path}: ${first?.message}`);
  }
  if (/^\s*FROM\b/im.test(parsed.data.dockerfile ?? '')) {
    throw invalid(where, 'dockerfile: must not have a FROM line (its steps are applied FROM the built base)');
  }
  return parsed.data;
}

function safe(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

function invalid(where: string, what: string): AgentHostError {
  return new AgentHostError('INVALID_CONFIG', `template ${where}: ${what}`);
}
