import { z } from 'zod';
import { absolutePath, fileEntrySchema, userField } from './file-schemas.js';

const flag = z.enum(['0', '1', 'true', 'false']).optional();
const octalMode = z.string().regex(/^0?[0-7]{3,4}$/, 'must be octal permission bits such as 755');

/** Query of `GET /v1/sandboxes/:id/files/stat`. */
export const fileStatQuerySchema = z.object({ path: absolutePath, user: userField }).strict();

/** Query of `GET /v1/sandboxes/:id/files/list`. */
export const fileListQuerySchema = z
  .object({
    path: absolutePath,
    depth: z.coerce.number().int().min(1).max(16).default(1).describe('how deep to list (1..16)'),
    user: userField,
  })
  .strict();

/** Body of `POST /v1/sandboxes/:id/files/mkdir`. */
export const mkdirRequestSchema = z
  .object({ path: absolutePath, mode: octalMode.optional(), user: userField })
  .strict()
  .meta({ id: 'MkdirRequest' });

/** Body of `POST /v1/sandboxes/:id/files/move`. */
export const moveRequestSchema = z
  .object({ from: absolutePath, to: absolutePath, user: userField })
  .strict()
  .meta({ id: 'MoveRequest' });

/** Query of `DELETE /v1/sandboxes/:id/files`. */
export const fileRemoveQuerySchema = z.object({ path: absolutePath, user: userField }).strict();

/** Query of `GET /v1/sandboxes/:id/files/watch`. */
export const fileWatchQuerySchema = z
  .object({
    path: absolutePath,
    recursive: flag.describe('1: watch the subdirectories too'),
    user: userField,
  })
  .strict();

/** One entry with its absolute path (stat, recursive list). */
export const filePathEntrySchema = fileEntrySchema
  .extend({ path: z.string().describe('absolute path inside the sandbox') })
  .meta({ id: 'FilePathEntry' });

/** `GET .../files/list`. */
export const filePathListSchema = z
  .object({ path: z.string(), entries: z.array(filePathEntrySchema), truncated: z.boolean() })
  .meta({ id: 'FilePathList' });

/** `POST .../files/mkdir`. */
export const mkdirResultSchema = z
  .object({ path: z.string(), created: z.boolean() })
  .meta({ id: 'MkdirResult' });

/** One line of `GET .../files/watch`. */
export const watchEventSchema = z
  .object({
    type: z.enum(['create', 'write', 'remove', 'rename', 'chmod', 'overflow']),
    path: z.string().optional(),
    isDir: z.boolean().optional(),
  })
  .meta({ id: 'WatchEvent' });

/** True for a query flag that says yes. */
export function isOn(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}
