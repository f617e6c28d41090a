import type { Context } from 'hono';
import { decodeToken, listed, type ReplyDeps } from './control-replies.js';
import { listQuerySchema, parseMetadataFilter } from './control-schemas.js';
import { e2bError, e2bInvalid } from './e2b-errors.js';
import { factsOf } from './sandbox-labels.js';

/**
 * `GET /v2/sandboxes` (and `/sandboxes`): the tenant's sandboxes the door created, read from the host's record
 * of each (its labels), oldest first, filtered by `state` and `metadata`, paged by `X-Next-Token`.
 */
export function listSandboxes(deps: ReplyDeps) {
  return (c: Context<{ Variables: { tenant: string } }>) => {
    const query = listQuerySchema.safeParse(c.req.query());
    if (!query.success) return e2bInvalid(c, query.error);
    const { limit = 100, nextToken, state } = query.data;
    const filter = parseMetadataFilter(query.data.metadata);
    const states = state ? state.split(',') : ['running', 'paused'];
    // Read from the host's record of each sandbox (its labels), oldest first: any door instance lists the same.
    const rows = deps.host
      .list(c.get('tenant'))
      .flatMap((id) => {
        const facts = factsOf(deps.host, id);
        return facts ? [{ id, facts, createdAt: deps.host.times(id)?.createdAt ?? 0 }] : [];
      })
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter((r) => states.includes(r.facts.paused ? 'paused' : 'running'))
      .filter((r) => !filter || Object.entries(filter).every(([k, v]) => r.facts.metadata[k] === v));
    const start = nextToken ? rows.findIndex((r) => r.id === decodeToken(nextToken)) : 0;
    if (start < 0)
      return e2bError(c, 400, 'nextToken: not a token this host gave (list again from the start)');
    const page = rows.slice(start, start + limit);
    const next = rows[start + limit];
    if (next) c.header('X-Next-Token', Buffer.from(next.id).toString('base64url'));
    return c.json(page.map((r) => listed(deps, r.id, r.facts)));
  };
}
