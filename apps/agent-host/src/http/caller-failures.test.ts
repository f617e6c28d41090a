// Caller mistakes through the HTTP API, on a real DockerAdapter over the fake engine with `pull: never`: a misspelt
// image and a command that exits at once are recorded with cause `caller`, shown apart, and never turn the SLA red.
import { FakeDocker } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { createApp } from './create-app.js';
import { jsonRequest } from './testing/test-app.js';

const silent = { warn: vi.fn(), error: vi.fn() };
const IMAGE = 'sbx-test/busybox:latest';

async function setup(policy: Partial<SandboxPolicy> = {}) {
  const docker = new FakeDocker([IMAGE]);
  docker.runtimes = {
    runc: { path: 'runc' },
    runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] },
  };
  // Wired as `sbx serve` wires it, on the docker adapter over the fake engine.
  const { host, kpis, perf, results, config, close } = await createTestHost({
    docker,
    policy,
    logger: silent,
  });
  const app = createApp({ kpis, perf, host, config });
  const request = jsonRequest(app);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request(method, path, body);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const create = (fields: Record<string, unknown>) =>
    call('POST', '/v1/sandboxes', { type: 'docker', image: IMAGE, pull: 'never', ...fields });
  return { call, create, docker, kpis, results, close };
}

describe('caller failures over HTTP', () => {
  let ctx: Awaited<ReturnType<typeof setup>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it("a misspelt image and a command that exits at once: recorded as the caller's, the SLA stays met", async () => {
    ctx = await setup();
    const { call, create, docker, results } = ctx;
    for (let i = 0; i < 6; i++) {
      const typo = await create({ image: 'sbx-test/busybx:latest' });
      expect(typo.status).toBe(422);
      expect(typo.body).toMatchObject({ error: { code: 'IMAGE_NOT_FOUND' } });
    }
    docker.hooks.afterStart = (c) => c.exit(0);
    for (let i = 0; i < 6; i++) {
      const exits = await create({ cmd: ['true'] });
      expect(exits.status).toBeGreaterThanOrEqual(400);
      expect(exits.body).toMatchObject({ error: { code: 'READINESS_FAILED' } });
    }
    docker.hooks.afterStart = undefined;
    for (let i = 0; i < 3; i++) {
      const made = await create({ cmd: ['sleep', '60'] });
      expect(made.status).toBe(201);
    }
    expect(results.filter((r) => r.error).map((r) => r.error?.cause)).toEqual(Array(12).fill('caller'));
    const kpis = await call('GET', '/v1/kpis');
    const docker_ = (kpis.body.types as Record<string, Record<string, Record<string, unknown>>>).docker;
    expect(docker_?.sla).toBe('met');
    expect(docker_?.last100).toMatchObject({ n: 3, failures: 0, callerFailures: 12, slaMet: true });
    expect(docker_?.allTime).toMatchObject({ n: 3, failures: 0, callerFailures: 12 });
    expect(docker_?.verdict).toMatchObject({ status: 'met', callerFailures: 12 });
    const listed = await call('GET', '/v1/provisions?limit=20');
    const causes = (listed.body.rows as { error?: { cause?: string } }[]).map((r) => r.error?.cause);
    expect(causes.filter((c) => c === 'caller')).toHaveLength(12);
  });
});
