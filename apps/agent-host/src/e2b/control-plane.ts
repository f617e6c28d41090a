import { type Context, Hono } from 'hono';
import { DEFAULT_TENANT } from '../auth/token-file.js';
import { type AuthOptions, clientAddress, tooManyGuesses } from '../http/request-guard.js';
import { listSandboxes } from './control-list.js';
import {
  E2B_TIMEOUT_MS,
  jsonBody,
  listed,
  notFound,
  type Owned,
  ownedRecord,
  sandboxReply,
} from './control-replies.js';
import { connectSchema, createSandboxSchema, timeoutSchema } from './control-schemas.js';
import { e2bError, e2bFailure, e2bInvalid } from './e2b-errors.js';
import type { E2bHost } from './e2b-host.js';
import type { E2bSandboxes } from './e2b-sandboxes.js';
import { type E2bFacts, e2bLabels, setPaused } from './sandbox-labels.js';

export { ENVD_VERSION } from './control-replies.js';

/** What the control plane needs. */
export interface ControlPlaneDeps {
  host: E2bHost;
  sandboxes: E2bSandboxes;
  /** How callers authenticate; without it every caller is tenant `default` (an in-process host). */
  auth?: AuthOptions;
  /** The host's `domain` setting returned to the SDK (it builds `PORT-ID.domain` for `getHost()`). */
  domain?: string;
}

type Env = { Variables: { tenant: string } };

/**
 * E2B's control plane (REST/JSON, `X-API-KEY` = an sbx token, the tenant = its tenant): create, connect, list,
 * get, timeout, pause/resume, kill. Served on both the `/v2` and the unversioned paths older SDKs call.
 */
export function controlPlane(deps: ControlPlaneDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.use('*', async (c, next) => {
    const auth = deps.auth;
    if (!auth) {
      c.set('tenant', DEFAULT_TENANT);
      return next();
    }
    const refused = tooManyGuesses(c, auth);
    if (refused) return refused;
    const key = c.req.header('x-api-key');
    const tenant = key ? auth.tokens.tenantOf(key) : undefined;
    if (tenant === undefined) {
      if (key !== undefined) auth.guesses?.fail(clientAddress(c));
      return e2bError(c, 401, 'send X-API-KEY: an sbx token (E2B_API_KEY=the token sbx serve printed)');
    }
    c.set('tenant', tenant);
    return next();
  });

  const create = async (c: Context<Env>) => {
    const parsed = createSandboxSchema.safeParse(await jsonBody(c));
    if (!parsed.success) return e2bInvalid(c, parsed.error);
    const { templateID, timeout, metadata, envVars, autoPause } = parsed.data;
    const tenant = c.get('tenant');
    deps.sandboxes.prune((id) => deps.host.alive(id));
    const ttl = timeout === undefined ? {} : { ttlMs: timeout * 1000 };
    // Kept with the sandbox (the host's record, a cold one's container labels), not in this door's memory.
    const facts: E2bFacts = {
      templateID,
      metadata: metadata ?? {},
      autoPause: autoPause === true,
      ...ttl,
      paused: false,
    };
    try {
      const { sandbox } = await deps.host.create({
        tenant,
        template: templateID,
        signal: c.req.raw.signal,
        ...ttl,
        ...(envVars ? { env: envVars } : {}),
        labels: e2bLabels(facts),
      });
      const record = deps.sandboxes.add({ id: sandbox.id, tenant });
      return c.json(sandboxReply(deps, { record, facts }), 201);
    } catch (error) {
      return e2bFailure(c, error);
    }
  };
  app.post('/v2/sandboxes', create);
  app.post('/sandboxes', create);

  const list = listSandboxes(deps);
  app.get('/v2/sandboxes', list);
  app.get('/sandboxes', list);

  app.get('/sandboxes/:id', (c) => {
    const found = owned(deps, c);
    if (!found) return notFound(c);
    return c.json({ ...listed(deps, found.record.id, found.facts), ...sandboxReply(deps, found) });
  });

  app.post('/sandboxes/:id/timeout', async (c) => {
    const parsed = timeoutSchema.safeParse(await jsonBody(c));
    if (!parsed.success) return e2bInvalid(c, parsed.error);
    const record = owned(deps, c)?.record;
    if (!record) return notFound(c);
    try {
      deps.host.extendTtl(record.id, Math.max(1, parsed.data.timeout) * 1000);
      return c.body(null, 204);
    } catch (error) {
      return e2bFailure(c, error);
    }
  });

  app.post('/sandboxes/:id/refreshes', (c) => (owned(deps, c) ? c.body(null, 204) : notFound(c)));

  app.post('/sandboxes/:id/pause', async (c) => {
    const found = owned(deps, c);
    if (!found) return notFound(c);
    const { record } = found;
    if (found.facts.paused) return e2bError(c, 409, `sandbox ${record.id} is already paused`);
    try {
      await deps.host.pause(record.id, record.tenant);
      setPaused(deps.host, record.id, true);
      return c.body(null, 204);
    } catch (error) {
      return e2bFailure(c, error);
    }
  });

  const resume = async (c: Context<Env>, versioned: boolean) => {
    const parsed = connectSchema.safeParse(await jsonBody(c));
    if (!parsed.success) return e2bInvalid(c, parsed.error);
    const first = owned(deps, c);
    if (!first) return notFound(c);
    const { record } = first;
    try {
      // An automatic pause under way ends first (one that failed removed the sandbox).
      if (record.pausing) await record.pausing;
      const found = owned(deps, c);
      if (!found) return notFound(c);
      const { timeout } = parsed.data;
      if (timeout) deps.host.extendTtl(record.id, timeout * 1000);
      if (!found.facts.paused) {
        return versioned ? c.json(sandboxReply(deps, found), 200) : e2bError(c, 409, 'not paused');
      }
      await deps.host.resume(record.id, record.tenant);
      setPaused(deps.host, record.id, false);
      // Kept paused until maxTtlMs: resumed without a timeout, it gets its own (E2B's 300 s) again.
      if (!timeout) {
        const ttlMs = Math.min(found.facts.ttlMs ?? E2B_TIMEOUT_MS, deps.host.ttlLeft(record.id) - 1_000);
        if (ttlMs > 0) deps.host.extendTtl(record.id, ttlMs);
      }
      return c.json(sandboxReply(deps, { record, facts: { ...found.facts, paused: false } }), 201);
    } catch (error) {
      return e2bFailure(c, error);
    }
  };
  app.post('/v2/sandboxes/:id/connect', (c) => resume(c, true));
  app.post('/sandboxes/:id/connect', (c) => resume(c, true));
  app.post('/sandboxes/:id/resume', (c) => resume(c, false));

  app.delete('/sandboxes/:id', async (c) => {
    const record = owned(deps, c)?.record;
    if (!record) return notFound(c);
    try {
      deps.sandboxes.delete(record.id);
      await deps.host.dispose(record.id);
      return c.body(null, 204);
    } catch (error) {
      return e2bFailure(c, error);
    }
  });

  app.notFound((c) => e2bError(c, 404, `no E2B route ${c.req.method} ${c.req.path} on this host`));
  return app;
}

function owned(deps: ControlPlaneDeps, c: Context<Env>): Owned | undefined {
  return ownedRecord(deps, c.req.param('id') ?? '', c.get('tenant'));
}
