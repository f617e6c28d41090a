// One tenant must not read another's secrets in a failure's text. Three provisionings of alice fail on the fake
// engine (her sandbox printed her API key, her private image is missing, the engine's error named a host path)
// and she posts a browser measurement whose error quotes a secret. Alice's own answers carry the detail; bob reads
// every shared surface (lists, KPIs, alerts, /metrics, the webhook, what the store kept) and finds none of it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DockerAdapter } from '@sbx/bootstrap';
import { FakeDocker, httpError } from '@sbx/bootstrap/testing';
import { ChangeFeed, openDatabase } from '@sbx/store';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Sessions } from '../auth/sessions.js';
import { TokenTable } from '../auth/token-file.js';
import { composeHost } from '../compose/compose-host.js';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { KNOWN_PHASES } from '../kinds/registry.js';
import { PrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { createApp } from './create-app.js';
import { testConfig } from './testing/test-app.js';

const IMAGE = 'sbx-test/busybox:latest';
const SECRET = 'sk-alice-7f3e9b2c4d1a';
const PRIVATE_IMAGE = 'alice-secret-project/internal-app:v7';
const HOST_PATH = '/var/lib/docker/overlay2/3f9a8c7e6d5b4a39/merged';
const ALICE = 'token-of-alice-0123456789abcdef';
const BOB = 'token-of-bob-0123456789abcdef';
// What must not cross from alice to bob: her output, her image, the host's paths.
const LEAKS = [SECRET, 'API_KEY', 'alice-secret-project', 'internal-app', '/var/lib/docker', 'overlay2'];

async function webhookSink() {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function setup() {
  const db = await openDatabase(':memory:');
  const docker = new FakeDocker([IMAGE]);
  // Her command prints what her env holds, then exits before it is ready.
  docker.hooks.afterStart = (container) => {
    const env = container.config.Env ?? [];
    if (!env.some((e) => e.startsWith('API_KEY='))) return;
    container.print(`${env.find((e) => e.startsWith('API_KEY='))}\n`);
    container.exit(3);
  };
  const logger = { warn: vi.fn(), error: vi.fn() };
  const hook = await webhookSink();
  const composed = composeHost(db, {
    adapters: { docker: new DockerAdapter({ docker, owner: 'test:1', logger }) },
    logger,
    webhookUrl: hook.url,
    webhookCooldownMs: 1,
  });
  const metrics = new PrometheusMetrics({
    feed: new ChangeFeed(db),
    phases: KNOWN_PHASES,
    kpis: composed.kpis,
    liveSandboxes: () => 0,
  });
  const tokens = new TokenTable([
    { tenant: 'alice', token: ALICE },
    { tenant: 'bob', token: BOB },
  ]);
  const app = createApp(
    { ...composed, metrics, config: testConfig(defaultPolicy(2)) },
    { auth: { tokens, sessions: new Sessions() }, allowedHosts: ['127.0.0.1'] },
  );
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await app.request(`http://127.0.0.1:7070${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const close = async () => {
    await composed.close();
    await hook.close();
  };
  return { db, docker, composed, call, hook, close };
}

describe('the text of a failure, across tenants', () => {
  let ctx: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('alice gets the detail in her own answers; bob reads codes and phases only, on every surface', async () => {
    ctx = await setup();
    const { call, docker } = ctx;
    const create = (fields: Record<string, unknown>) =>
      call('POST', '/v1/sandboxes', ALICE, { type: 'docker', image: IMAGE, ...fields });

    // 1. Her sandbox's output: the last log line before it exited.
    const output = await create({
      env: { API_KEY: SECRET },
      cmd: ['sh', '-c', 'echo API_KEY=$API_KEY'],
      ready: 'log:^ready$',
    });
    expect(output.status).toBeGreaterThanOrEqual(400);
    expect(output.text).toContain(SECRET);
    // 2. Her private image's name.
    const image = await create({ image: PRIVATE_IMAGE, pull: 'never' });
    expect(image.status).toBeGreaterThanOrEqual(400);
    expect(image.text).toContain(PRIVATE_IMAGE);
    // 3. A host path in the engine's words.
    docker.hooks.start = () => {
      throw httpError(500, `error mounting "${HOST_PATH}" to rootfs at "/tmp": mount failed`);
    };
    const path = await create({});
    expect(path.status).toBeGreaterThanOrEqual(500);
    // Even the caller's own answer names no host path: the engine's words keep their sense, the path is hidden.
    expect(path.text).toContain('error mounting');
    expect(path.text).not.toContain(HOST_PATH);
    docker.hooks.start = undefined;
    // 4. A browser measurement whose error quotes a secret, in every field a client may fill.
    const ingest = await call('POST', '/v1/provisions', ALICE, {
      sandboxType: 'webcontainer',
      durationMs: 900,
      status: 'sla_breach',
      timestamp: new Date().toISOString(),
      phases: [],
      error: {
        name: `API_KEY=${SECRET}`,
        message: `boot failed: API_KEY=${SECRET} ${HOST_PATH}`,
        code: `API_KEY=${SECRET}`,
      },
    });
    expect(ingest.status).toBe(201);
    await ctx.composed.alertService.flush({ timeoutMs: 2_000 });

    const seen: Record<string, string> = {};
    for (const route of [
      '/v1/provisions?limit=100',
      '/v1/alerts?limit=100',
      '/v1/kpis',
      '/v1/hosts',
      '/v1/perf/report',
      '/v1/pools',
      '/metrics',
    ]) {
      const { status, text } = await call('GET', route, BOB);
      expect(status, route).toBe(200);
      seen[route] = text;
    }
    seen.webhook = ctx.hook.bodies.join('\n');
    seen.stored = JSON.stringify([
      (await sql`select * from sandbox_provisioning_kpis`.execute(ctx.db)).rows,
      (await sql`select * from sandbox_alerts`.execute(ctx.db)).rows,
    ]);
    // Only the platform's failure (the host path) alerts: the caller's mistakes are shown apart, never alerted.
    expect(ctx.hook.bodies.length).toBeGreaterThanOrEqual(1);
    for (const [surface, text] of Object.entries(seen)) {
      for (const leak of LEAKS) expect(text, `${surface} shows ${leak}`).not.toContain(leak);
    }
    // What bob does read: the failure's code and phase.
    const rows = JSON.parse(seen['/v1/provisions?limit=100'] as string).rows as Array<{
      error?: { code?: string; message: string };
    }>;
    const messages = rows.map((r) => r.error?.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'READINESS_FAILED in phase ready',
        'IMAGE_NOT_FOUND in phase image',
        'START_FAILED in phase start',
        'Error',
      ]),
    );
  });
});
