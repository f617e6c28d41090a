import type { Context } from 'hono';
import { e2bError } from './e2b-errors.js';
import type { E2bHost } from './e2b-host.js';
import type { E2bSandboxes, E2bSandboxRecord } from './e2b-sandboxes.js';
import { type E2bFacts, factsOf } from './sandbox-labels.js';

/** The sandbox daemon version this door reports: it switches the SDK's features (see docs/e2b.md). */
export const ENVD_VERSION = '0.5.7';

/** E2B's default sandbox timeout (a resume without one gets the sandbox's own, else this). */
export const E2B_TIMEOUT_MS = 300_000;

/** A sandbox as the door answers for it: this door's record (access token) and the facts kept with it. */
export interface Owned {
  record: E2bSandboxRecord;
  facts: E2bFacts;
}

/**
 * The tenant's sandbox `id` while the host still has it (a record whose sandbox is gone is dropped). One another
 * door instance created (its labels say so) gets a record here, with this door's own access token.
 */
export function ownedRecord(
  deps: { host: E2bHost; sandboxes: E2bSandboxes },
  id: string,
  tenant: string,
): Owned | undefined {
  const facts = deps.host.find(id, tenant) === undefined ? undefined : factsOf(deps.host, id);
  if (!facts) {
    if (deps.sandboxes.get(id, tenant)) deps.sandboxes.delete(id);
    return undefined;
  }
  const record = deps.sandboxes.get(id, tenant) ?? deps.sandboxes.add({ id, tenant });
  return { record, facts };
}

/** The 404 of a sandbox route whose sandbox is unknown, gone or another tenant's. */
export function notFound(c: Context): Response {
  return e2bError(c, 404, `sandbox ${c.req.param('id')} not found`);
}

/** What the replies read: the host (expiry times) and its `domain` setting. */
export interface ReplyDeps {
  host: E2bHost;
  domain?: string | undefined;
}

/** A request's JSON body: `{}` when empty, a symbol (which no schema accepts) when not JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return Symbol('not JSON');
  }
}

export function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

export function sandboxReply(deps: ReplyDeps, { record: r, facts }: Owned) {
  return {
    sandboxID: r.id,
    templateID: facts.templateID,
    clientID: 'sbx',
    envdVersion: ENVD_VERSION,
    envdAccessToken: r.accessToken,
    domain: deps.domain ?? null,
  };
}

/** A `list`/`getInfo` entry, all read from the host (`id`'s labels and times): any door instance answers the same. */
export function listed(deps: ReplyDeps, id: string, facts: E2bFacts) {
  const times = deps.host.times(id);
  const startedAt = times?.createdAt ?? 0;
  return {
    sandboxID: id,
    templateID: facts.templateID,
    clientID: 'sbx',
    startedAt: new Date(startedAt).toISOString(),
    endAt: new Date(times?.expiresAt ?? startedAt).toISOString(),
    cpuCount: 0,
    memoryMB: 0,
    diskSizeMB: 0,
    metadata: facts.metadata,
    state: facts.paused ? 'paused' : 'running',
    lifecycle: { onTimeout: facts.autoPause ? 'pause' : 'kill', autoResume: false },
    envdVersion: ENVD_VERSION,
  };
}
