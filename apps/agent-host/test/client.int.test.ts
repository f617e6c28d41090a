// @sbx/client against `sbx serve` on the real engine: the same scenarios as the HTTP tests, through the client.
import { randomBytes } from 'node:crypto';
import { isSbxError, SbxClient, SbxError } from '@sbx/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, READY_CMD, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingPrerequisite();

describe.skipIf(missing !== undefined && !process.env.CI)('@sbx/client on the real engine', () => {
  let server: Awaited<ReturnType<typeof startServe>>;
  let sbx: SbxClient;
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    server = await startServe(tempDb(), [], { SBX_IDLE_TIMEOUT_MS: '4000' });
    sbx = new SbxClient({ baseUrl: server.base, token: server.token });
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });
  const create = () => sbx.sandboxes.create({ image: TEST_IMAGE, cmd: READY_CMD, ready: 'log:ready' });

  it('streams output as it is printed, runs 3 commands at once, and kills with await using', async () => {
    let id: string;
    {
      await using box = await create();
      id = box.id;
      const arrivals: number[] = [];
      const started = performance.now();
      const result = await box.exec('for i in 1 2 3 4 5; do echo "line $i"; sleep 0.2; done', {
        onStdout: () => arrivals.push(performance.now() - started),
      });
      expect(result).toMatchObject({
        exitCode: 0,
        outcome: 'success',
        stdout: 'line 1\nline 2\nline 3\nline 4\nline 5\n',
      });
      expect(arrivals).toHaveLength(5);
      expect((arrivals[4] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(600);
      console.log(`client arrivals (ms): ${arrivals.map(Math.round).join(', ')}`);

      const t0 = performance.now();
      const [a, b, c] = await Promise.all([
        box.exec('sleep 1; echo a'),
        box.exec('sleep 1; cat', { stdin: 'piped' }),
        box.exec("sleep 1; printf '\\377'; exit 2"),
      ]);
      expect(performance.now() - t0).toBeLessThan(2_500);
      expect([a.stdout, b.stdout, c.exitCode]).toEqual(['a\n', 'piped', 2]);
      expect((await sbx.sandboxes.list()).map((s) => s.id)).toContain(id);
    }
    // Gone once the scope ended.
    const error = await sbx.sandboxes
      .get(id)
      .exec('true')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SbxError);
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('moves a 10 MiB file and a directory as tar byte-exact, and lists', async () => {
    await using box = await create();
    const data = randomBytes(10 * 1024 * 1024);
    await box.files.write('/tmp/in/blob.bin', data, { mode: 0o640 });
    expect(Buffer.from(await box.files.read('/tmp/in/blob.bin')).equals(data)).toBe(true);
    const { entries } = await box.files.list('/tmp/in');
    expect(entries).toEqual([expect.objectContaining({ name: 'blob.bin', size: data.length, mode: '0640' })]);
    await box.exec('mkdir -p /tmp/src/d && echo x > /tmp/src/d/f && echo y > /tmp/src/g');
    await box.files.writeTar('/tmp/copy', await box.files.readTar('/tmp/src'));
    expect((await box.exec('diff -r /tmp/src /tmp/copy && echo same')).stdout).toBe('same\n');
    const missingFile = await box.files.read('/tmp/none').catch((e: unknown) => e);
    expect(isSbxError(missingFile, 'FILE_NOT_FOUND')).toBe(true);
    expect((missingFile as SbxError).status).toBe(404);
  });

  it('an aborted exec aborts the command; logs; TTL', async () => {
    await using box = await create();
    const controller = new AbortController();
    const running = box.exec('echo go; sleep 30', {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    await expect(running).rejects.toBeDefined();
    let ps = '';
    for (let i = 0; i < 40 && (ps === '' || ps.includes('sleep 30')); i++) {
      ps = (await box.exec('ps')).stdout;
      if (ps.includes('sleep 30')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ps).not.toContain('sleep 30');
    expect(await box.logs()).toEqual({ stdout: 'ready\n', stderr: '', truncated: false });
    const expires = await box.extendTtl(60 * 60 * 1000);
    expect(expires.getTime()).toBeGreaterThan(Date.now());
    expect((await box.info()).expiresAt).toBe(expires.toISOString());
  });

  it('a sandbox idle for idleTimeoutMs is gone: SbxError SANDBOX_GONE (410)', async () => {
    const box = await create();
    let error: unknown;
    for (let i = 0; i < 60 && !error; i++) {
      await new Promise((r) => setTimeout(r, 250));
      error = await box.info().then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(error).toMatchObject({ code: 'SANDBOX_GONE', status: 410 });
  });
});
