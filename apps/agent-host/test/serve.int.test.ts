import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, READY_CMD, sampleValue, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingPrerequisite();

describe.skipIf(missing !== undefined && !process.env.CI)('sbx serve against the real Docker engine', () => {
  beforeAll(() => {
    if (missing) throw new Error(missing);
  });

  it('serves the API on loopback: 400s write nothing, a sandbox is provisioned, used and removed', async () => {
    const db = tempDb();
    const server = await startServe(db);
    try {
      const { base } = server;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The token file was created beside the database, readable by its owner only.
      expect(server.tokenFile).toBe(join(dirname(db), 'token'));
      expect(statSync(server.tokenFile).mode & 0o777).toBe(0o600);
      expect(server.out.stdout).not.toContain(server.token);
      const fetch = (path: string, init: RequestInit = {}) =>
        globalThis.fetch(`${base}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${server.token}`, ...(init.headers as Record<string, string>) },
        });
      const post = (path: string, body: unknown) => server.api('POST', path, body);
      expect((await globalThis.fetch(`${base}/v1/kpis`)).status).toBe(401);

      const health = await (await globalThis.fetch(`${base}/healthz`)).json();
      expect(health).toEqual({
        status: 'ok',
        engine: 'reachable',
        store: { status: 'ok', spooled: 0, oldestAgeSeconds: 0 },
        liveSandboxes: 0,
      });

      const bad = await post('/v1/sandboxes', { type: 'docker', image: TEST_IMAGE, resources: { cpus: -1 } });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.issues[0].path).toBe('resources.cpus');
      const wrongType = await post('/v1/sandboxes', { type: 'vm', image: TEST_IMAGE });
      expect(wrongType.status).toBe(400);
      expect((await (await fetch('/v1/kpis')).json()).types.docker.allTime.n).toBe(0);

      const created = await post('/v1/sandboxes', {
        type: 'docker',
        image: TEST_IMAGE,
        cmd: READY_CMD,
        ready: 'log:ready',
      });
      expect(created.status).toBe(201);
      const { id, result, phases } = await created.json();
      expect(result.status).toBe('ok');
      // `agent`: the in-sandbox agent's hello, a phase of its own since the agent (#26)
      expect(phases.map((p: { name: string }) => p.name)).toEqual([
        'image',
        'create',
        'start',
        'ready',
        'agent',
      ]);

      const exec = await post(`/v1/sandboxes/${id}/exec`, {
        cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      });
      expect(await exec.json()).toMatchObject({
        exitCode: 3,
        stdout: 'out\n',
        stderr: 'err\n',
        outcome: 'error',
      });
      expect((await post('/v1/sandboxes/nope/exec', { cmd: 'true' })).status).toBe(404);

      expect((await fetch(`/v1/sandboxes/${id}`, { method: 'DELETE' })).status).toBe(204);
      const kpis = await (await fetch('/v1/kpis')).json();
      expect(kpis.types.docker.allTime).toMatchObject({ n: 1, failures: 0 });
      expect(await (await fetch('/v1/perf/report')).json()).toMatchObject({ count: 1 });

      // /metrics counts what the database holds; the failed exec above is an 'error' run.
      const metrics = await fetch('/metrics');
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const text = await metrics.text();
      // Every series carries the host that measured it: the hostname unless --host-id says otherwise.
      const host = hostname();
      // A provisioning asked for by type is cold (not from a warm pool).
      const docker = { host, sandbox_type: 'docker', source: 'cold' };
      expect(sampleValue(text, 'sbx_provisioning_duration_seconds_count', { ...docker, status: 'ok' })).toBe(
        '1',
      );
      expect(sampleValue(text, 'sbx_sandbox_run_duration_seconds_count', { host, outcome: 'error' })).toBe(
        '1',
      );
      expect(sampleValue(text, 'sbx_provisioning_failures_total', docker)).toBe('0');
      // Labelled with the engine runtime it ran on (the engine's default, by name), never left empty.
      const ok = { ...docker, status: 'ok' };
      expect(sampleValue(text, 'sbx_provisioning_duration_seconds_count', { ...ok, runtime: '' })).toBe('0');
      expect(text).toMatch(/^sbx_provisioning_duration_seconds_count\{[^}]*runtime="\w+"[^}]*\} 1$/m);
      expect(text).not.toContain(id);
      expect((await (await fetch('/v1/alerts')).json()).rows).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
