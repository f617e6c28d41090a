import type { Context } from 'hono';
import { e2bError } from './e2b-errors.js';
import type { E2bHost } from './e2b-host.js';
import type { E2bSandboxes, E2bSandboxRecord } from './e2b-sandboxes.js';

/** The sandbox daemon version this door reports: it switches the SDK's features (see docs/e2b.md). */
export const ENVD_VERSION = '0.5.7';

/** E2B's default sandbox timeout (a resume without one gets the sandbox's own, else this). */
export const E2B_TIMEOUT_MS = 300_000;

/** The tenant's record of `id` while the host still has the sandbox; a record whose sandbox is gone is dropped. */
export function ownedRecord(
  deps: { host: E2bHost; sandboxes: E2bSandboxes },
  id: string,
  tenant: string,
): E2bSandboxRecord | undefined {
  const record = deps.sandboxes.get(id, tenant);
  if (record && deps.host.find(id, tenant) === undefined) {
    deps.sandboxes.delete(id);
    return undefined;
  }
  return record;
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

export function sandboxReply(deps: ReplyDeps, r: E2bSandboxRecord) {
  return {
    sandboxID: r.id,
    templateID: r.templateID,
    clientID: 'sbx',
    envdVersion: ENVD_VERSION,
    envdAccessToken: r.accessToken,
    domain: deps.domain ?? null,
  };
}

export function listed(deps: ReplyDeps, r: E2bSandboxRecord) {
  const times = deps.host.times(r.id);
  return {
    sandboxID: r.id,
    templateID: r.templateID,
    clientID: 'sbx',
    startedAt: new Date(r.startedAt).toISOString(),
    endAt: new Date(times?.expiresAt ?? r.startedAt).toISOString(),
    cpuCount: 0,
    memoryMB: 0,
    diskSizeMB: 0,
    metadata: r.metadata,
    state: r.paused ? 'paused' : 'running',
    lifecycle: { onTimeout: r.autoPause ? 'pause' : 'kill', autoResume: false },
    envdVersion: ENVD_VERSION,
  };
}
