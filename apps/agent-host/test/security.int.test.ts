import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containersOwnedBy,
  missingPrerequisite,
  READY_CMD,
  startServe,
  TEST_IMAGE,
  tempDb,
} from './harness.js';

const missing = missingPrerequisite();
const TOKEN_A = 'tenant-a-token-0123456789abcdef';
const TOKEN_B = 'tenant-b-token-0123456789abcdef';

type Serve = Awaited<ReturnType<typeof startServe>>;

describe.skipIf(missing !== undefined && !process.env.CI)(
  'sbx serve holds against its callers (real engine)',
  () => {
    let server: Serve;
    let db: string;
    const as =
      (token: string) =>
      (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        fetch(`${server.base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
    const a = (...args: Parameters<ReturnType<typeof as>>) => as(TOKEN_A)(...args);
    const b = (...args: Parameters<ReturnType<typeof as>>) => as(TOKEN_B)(...args);

    /** `/healthz` answers within 1 s: the server neither crashed nor froze. */
    async function healthy(): Promise<void> {
      const t0 = performance.now();
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(1_000) });
      expect(res.status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(1_000);
    }

    async function rows(): Promise<number> {
      const kdb = await openDatabase(db);
      try {
        return await new SandboxProvisioningKPI(kdb).count();
      } finally {
        await kdb.destroy();
      }
    }

    beforeAll(async () => {
      if (missing) throw new Error(missing);
      db = tempDb();
      const tokenFile = join(dirname(db), 'tokens');
      mkdirSync(dirname(db), { recursive: true });
      writeFileSync(tokenFile, `# two tenants\na:${TOKEN_A}\nb:${TOKEN_B}\n`, { mode: 0o600 });
      // A small live cap keeps the parallel test cheap; the small tmpfs makes the disk bound visible.
      server = await startServe(db, [
        '--token-file',
        tokenFile,
        '--max-live-per-tenant',
        '5',
        '--tmpfs-bytes',
        String(8 * 1024 * 1024),
        '--max-exec-output-bytes',
        String(1024 * 1024),
      ]);
    });
    afterAll(async () => {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(containersOwnedBy(server.child.pid)).toEqual([]);
    });

    it.each(['a//b', '../../etc/passwd', './busybox'])(
      'image %j: 400 INVALID_IMAGE, no crash, no row',
      async (image) => {
        const res = await a('POST', '/v1/sandboxes', { type: 'docker', image });
        expect(res.status).toBe(400);
        expect((await res.json()).error.code).toBe('INVALID_IMAGE');
        await healthy();
        expect(await rows()).toBe(0);
      },
    );

    it('a backtracking readiness pattern cannot freeze the server; the deadline holds', async () => {
      const body = {
        type: 'docker',
        image: TEST_IMAGE,
        cmd: ['sh', '-c', `echo ${'a'.repeat(30)}!; exec sleep 3600`],
        ready: 'log:(a+)+$',
        deadlineMs: 2_000,
      };
      const t0 = performance.now();
      const pending = a('POST', '/v1/sandboxes', body);
      await new Promise((r) => setTimeout(r, 500));
      await healthy(); // during
      const res = await pending;
      const tookMs = performance.now() - t0;
      expect(res.status).toBe(504);
      expect((await res.json()).error.code).toBe('DEADLINE_EXCEEDED');
      expect(tookMs).toBeLessThan(4_000);
      await healthy(); // after
    });

    it('without a token nothing is done; a foreign Host is refused (DNS rebinding)', async () => {
      const res = await fetch(`${server.base}/v1/sandboxes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'docker', image: TEST_IMAGE }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      const port = new URL(server.base).port;
      const rebinding = await new Promise<number>((resolve, reject) => {
        // fetch() will not send a forged Host header; a raw request does.
        import('node:http').then(({ request }) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              path: '/v1/kpis',
              headers: { host: 'attacker.example', authorization: `Bearer ${TOKEN_A}` },
            },
            (r) => resolve(r.statusCode ?? 0),
          );
          req.on('error', reject);
          req.end();
        }, reject);
      });
      expect(rebinding).toBe(421);
    });

    it("one tenant cannot see, use or delete another's sandbox; alerts show it no foreign ids", async () => {
      const created = await a('POST', '/v1/sandboxes', {
        type: 'docker',
        image: TEST_IMAGE,
        cmd: READY_CMD,
        ready: 'log:ready',
      });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      expect((await a('POST', `/v1/sandboxes/${id}/exec`, { cmd: 'echo secret > /tmp/note' })).status).toBe(
        200,
      );
      expect((await b('POST', `/v1/sandboxes/${id}/exec`, { cmd: 'cat /tmp/note' })).status).toBe(404);
      expect((await b('DELETE', `/v1/sandboxes/${id}`)).status).toBe(404);
      expect((await (await b('GET', '/v1/sandboxes')).json()).sandboxes).toEqual([]);
      expect(JSON.stringify(await (await b('GET', '/v1/alerts')).json())).not.toContain(id);
      expect((await a('DELETE', `/v1/sandboxes/${id}`)).status).toBe(204);
    });

    it.each([
      [{ cpus: 1e-12 }, 'resources.cpus'],
      [{ cpus: 64 }, 'resources.cpus'],
      [{ memoryBytes: 1e15 }, 'resources.memoryBytes'],
      [{ memoryBytes: 1 }, 'resources.memoryBytes'],
      [{ pids: 4_194_304 }, 'resources.pids'],
    ])(
      'resources %j: 400 naming %s and the cap, nothing provisioned or recorded',
      async (resources, field) => {
        const before = await rows();
        const res = await a('POST', '/v1/sandboxes', { type: 'docker', image: TEST_IMAGE, resources });
        expect(res.status).toBe(400);
        expect((await res.json()).error.message).toMatch(
          new RegExp(`^${field.replace('.', '\\.')}: must be from`),
        );
        expect(await rows()).toBe(before);
      },
    );

    it('caller mistakes are 4xx and not SLA evidence: no row, no alert', async () => {
      const before = await rows();
      const alertsBefore = (await (await a('GET', '/v1/alerts')).json()).rows.length;
      const mistakes: Array<[unknown, number]> = [
        [{ type: 'docker', image: TEST_IMAGE, env: { A: '\ud800' } }, 400],
        [{ type: 'docker', image: TEST_IMAGE, cmd: "sh -c 'echo" }, 400],
        // the init cannot execute it; a probe waiting on the command sees why (see docs/security.md)
        [{ type: 'docker', image: TEST_IMAGE, cmd: ['/no/such/binary'], ready: 'log:^ready$' }, 400],
      ];
      for (const [body, status] of mistakes) {
        const res = await a('POST', '/v1/sandboxes', body);
        expect(res.status, JSON.stringify(body)).toBe(status);
      }
      const text = await fetch(`${server.base}/v1/sandboxes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN_A}`, 'content-type': 'text/plain' },
        body: JSON.stringify({ type: 'docker', image: TEST_IMAGE }),
      });
      expect(text.status).toBe(415);
      expect(await rows()).toBe(before);
      expect((await (await a('GET', '/v1/alerts')).json()).rows).toHaveLength(alertsBefore);
      await healthy();
    });

    it('live sandboxes are capped per tenant: 10 in parallel give 5 sandboxes and 5 429s, none leaked', async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          a('POST', '/v1/sandboxes', { type: 'docker', image: TEST_IMAGE, cmd: READY_CMD }),
        ),
      );
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429, 429]);
      await healthy();
      for (const res of answers.filter((r) => r.status === 201)) {
        const { id } = await res.json();
        expect((await a('DELETE', `/v1/sandboxes/${id}`)).status).toBe(204);
      }
    });

    it('the root filesystem is read-only and /tmp is bounded; output is capped, the server stays small', async () => {
      const { id } = await (
        await a('POST', '/v1/sandboxes', { type: 'docker', image: TEST_IMAGE, cmd: READY_CMD })
      ).json();
      const exec = async (cmd: string) => (await a('POST', `/v1/sandboxes/${id}/exec`, { cmd })).json();
      expect((await exec('echo x > /root-file')).exitCode).not.toBe(0);
      const disk = await exec('dd if=/dev/zero of=/tmp/big bs=1M count=64 2>&1; echo done');
      expect(disk.stdout).toMatch(/No space left on device/);
      const flood = await exec('head -c 300000000 /dev/zero');
      expect(flood).toMatchObject({ exitCode: 0, stdoutTruncated: true, stderrTruncated: false });
      expect(flood.stdout.length).toBeLessThanOrEqual(1024 * 1024);
      const rssKb = Number(
        /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1],
      );
      console.log(
        `[security] 300 MB of stdout: kept ${flood.stdout.length} bytes, server RSS ${Math.round(rssKb / 1024)} MiB`,
      );
      expect(rssKb).toBeLessThan(400 * 1024);
      await healthy();
      expect((await a('DELETE', `/v1/sandboxes/${id}`)).status).toBe(204);
    });

    it('headers: nosniff everywhere, a CSP on /webcontainer, /healthz discloses nothing, 413 states its limit', async () => {
      const health = await fetch(`${server.base}/healthz`);
      expect(health.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await health.text();
      expect(text).not.toContain(db);
      expect(text).not.toContain('docker.sock');
      const page = await fetch(`${server.base}/webcontainer?fake`);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      const big = await a('POST', '/v1/provisions', { pad: 'x'.repeat(40_000) });
      expect(big.status).toBe(413);
      expect((await big.json()).error.message).toBe('request body over 16384 bytes');
    });
  },
);
