// The queries and answers of the file routes (`PUT`/`GET /v1/sandboxes/:id/files`) and the path and user fields
// every file call shares, as the routes and the OpenAPI document use them.
import { z } from 'zod';

/** An absolute path inside a sandbox (at most 4,096 characters, no NUL). */
export const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .startsWith('/', 'must be an absolute path inside the sandbox')
  .regex(/^[^\0]*$/, 'must not contain NUL');

/** Who a file call runs as inside the sandbox: a user name, a uid, or `uid:gid` (needs the in-sandbox agent). */
export const userField = z
  .string()
  .regex(
    /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}|\d{1,10}(?::\d{1,10})?)$/,
    'must be a user name, a uid or uid:gid',
  )
  .optional()
  .describe("run as this user inside the sandbox (default: the sandbox's user; needs the in-sandbox agent)");

/** Query of `PUT /v1/sandboxes/:id/files`. */
export const fileWriteQuerySchema = z
  .object({
    path: absolutePath,
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'must be octal permission bits such as 644 or 0755')
      .optional(),
    user: userField,
  })
  .strict();

/** Query of `GET /v1/sandboxes/:id/files`. */
export const fileReadQuerySchema = z
  .object({
    path: absolutePath,
    list: z.enum(['0', '1']).optional().describe('1: list the directory as JSON'),
    user: userField,
  })
  .strict();

/** One directory entry. */
export const fileEntrySchema = z
  .object({
    name: z.string(),
    type: z.enum(['file', 'directory', 'symlink', 'other']),
    size: z.number().int(),
    mode: z.string().describe('octal permission bits, e.g. 0644'),
    mtime: z.string().describe('ISO 8601'),
    linkTarget: z.string().optional(),
  })
  .meta({ id: 'FileEntry' });

/** `GET /v1/sandboxes/:id/files?list=1`. */
export const fileListSchema = z
  .object({ path: z.string(), entries: z.array(fileEntrySchema), truncated: z.boolean() })
  .meta({ id: 'FileList' });

/** Answer of `PUT /v1/sandboxes/:id/files`. */
export const fileWrittenSchema = z
  .object({ path: z.string(), bytes: z.number().int() })
  .meta({ id: 'FileWritten' });
