// Isolation levels through `sbx serve` on the real engine: a sandbox on gVisor (runsc) provisions, runs under
// gVisor's kernel and is removed; the policy refuses what it does not allow and the engine what it lacks; egress
// is checked by inspecting the container's configuration. No request leaves loopback: the host listens on
// 127.0.0.1 and no sandbox is asked to reach anything.
import { execFileSync } from 'node:child_process';
import { release } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRunsc, READY_CMD, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingRunsc();
type Serve = Awaited<ReturnType<typeof startServe>>;
const body = (fields: Record<string, unknown> = {}) => ({
  type: 'docker',
  image: TEST_IMAGE,
  pull: 'never',
  cmd: READY_CMD,
  ready: 'log:^ready$',
  ...fields,
});

/** The engine's view of a container: its runtime and network mode, or undefined once it is gone. */
function inspect(name: string): { runtime: string; network: string } | undefined {
  try {
    const out = execFileSync(
      'docker',
      ['container', 'inspect', '--format', '{{.HostConfig.Runtime}} {{.HostConfig.NetworkMode}}', name],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const [runtime = '', network = ''] = out.trim().split(' ');
    return { runtime, network };
  } catch {
    return undefined;
  }
}

// With CI=true a missing runsc fails every test (beforeAll throws) instead of skipping them.
describe.skipIf(missing !== undefined && !process.env.CI)(
  'engine runtimes and egress through sbx serve',
  () => {
    let strict: Serve;
    let open: Serve;
    beforeAll(async () => {
      if (missing) throw new Error(missing);
      [strict, open] = await Promise.all([
        startServe(tempDb()),
        startServe(tempDb(), ['--allow-runtime', 'runsc', '--allow-network'], {
          SBX_ALLOW_RUNTIMES: 'ignored',
        }),
      ]);
    });
    afterAll(async () => {
      for (const server of [strict, open]) server?.child.kill('SIGTERM');
      await Promise.all([strict?.exited, open?.exited]);
    });

    it("by default only the engine's default runtime and no egress are allowed: 400, nothing provisioned", async () => {
      const runtimes = await (await strict.api('GET', '/v1/runtimes')).json();
      expect(runtimes).toMatchObject({ type: 'docker', default: 'runc', allowNetwork: false });
      expect(runtimes.runtimes).toEqual(
        expect.arrayContaining([
          { name: 'runc', default: true, allowed: true, egress: true },
          { name: 'runsc', default: false, allowed: false, egress: false },
        ]),
      );
      const refused = await strict.api('POST', '/v1/sandboxes', body({ runtime: 'runsc' }));
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toMatchObject({
        code: 'POLICY_LIMIT',
        message: expect.stringContaining('"runsc" is not allowed; allowed: runc'),
      });
      const egress = await strict.api('POST', '/v1/sandboxes', body({ network: 'egress' }));
      expect(egress.status).toBe(400);
      expect((await egress.json()).error.message).toMatch(/--allow-network/);
      const { rows } = await (await strict.api('GET', '/v1/provisions')).json();
      expect(rows).toEqual([]);
    });

    it("a sandbox on runsc provisions, runs under gVisor's kernel, is listed with its runtime and is removed", async () => {
      const created = await open.api('POST', '/v1/sandboxes', body({ runtime: 'runsc' }));
      expect(created.status).toBe(201);
      const { id } = await created.json();
      expect(inspect(id)).toEqual({ runtime: 'runsc', network: 'none' });
      const exec = await open.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['uname', '-r'] });
      const { exitCode, stdout } = await exec.json();
      expect(exitCode).toBe(0);
      // gVisor's own kernel version, not this host's.
      expect(stdout.trim()).not.toBe(release());
      expect(stdout.trim()).toMatch(/^\d+\.\d+/);
      const { sandboxes } = await (await open.api('GET', '/v1/sandboxes')).json();
      expect(sandboxes).toContainEqual(expect.objectContaining({ id, runtime: 'runsc', network: 'none' }));
      expect((await open.api('DELETE', `/v1/sandboxes/${id}`)).status).toBe(204);
      expect(inspect(id)).toBeUndefined();
    });

    it('an allowed runtime the engine lacks is 400 naming the runtimes the engine has', async () => {
      const server = await startServe(tempDb(), ['--allow-runtime', 'no-such-runtime']);
      try {
        const refused = await server.api('POST', '/v1/sandboxes', body({ runtime: 'no-such-runtime' }));
        expect(refused.status).toBe(400);
        const { error } = await refused.json();
        expect(error.code).toBe('RUNTIME_NOT_FOUND');
        expect(error.message).toMatch(/has no runtime "no-such-runtime"; it has .*runc.*runsc/);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });

    it('egress is the engine bridge and none is none (inspected); egress on runsc --network=none is 400', async () => {
      const egress = await open.api('POST', '/v1/sandboxes', body({ network: 'egress' }));
      const none = await open.api('POST', '/v1/sandboxes', body());
      expect([egress.status, none.status]).toEqual([201, 201]);
      const [egressId, noneId] = [(await egress.json()).id, (await none.json()).id];
      try {
        expect(inspect(egressId)).toEqual({ runtime: 'runc', network: 'bridge' });
        expect(inspect(noneId)).toEqual({ runtime: 'runc', network: 'none' });
        const { sandboxes } = await (await open.api('GET', '/v1/sandboxes')).json();
        expect(sandboxes).toContainEqual(expect.objectContaining({ id: egressId, network: 'egress' }));
        const refused = await open.api(
          'POST',
          '/v1/sandboxes',
          body({ network: 'egress', runtime: 'runsc' }),
        );
        expect(refused.status).toBe(400);
        expect((await refused.json()).error.message).toMatch(/runsc is registered with --network=none/);
      } finally {
        await Promise.all([egressId, noneId].map((id) => open.api('DELETE', `/v1/sandboxes/${id}`)));
      }
      expect([inspect(egressId), inspect(noneId)]).toEqual([undefined, undefined]);
    });
  },
);
