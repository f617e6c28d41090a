// Archive and file attacks through `sbx serve` on the real engine (runc and, where registered, runsc): corrupt
// numbers that once froze the server, archives that write through symlinks onto the read-only rootfs, inode
// and entry floods, oversized directory downloads and transfer floods. Every request stays on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingRunsc, READY_CMD, startServe, TEST_IMAGE, tempDb } from './harness.js';

const missing = missingRunsc();
const MIB = 1024 * 1024;
type Serve = Awaited<ReturnType<typeof startServe>>;

interface Entry {
  name: string;
  data?: string;
  flag?: string;
  link?: string;
  /** Raw bytes for a numeric field, written after the rest: [offset, text]. */
  field?: [number, string];
}

/** A ustar archive written byte by byte, so a test can put anything in any field. */
function tarOf(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    const h = Buffer.alloc(512);
    h.write(entry.name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write(entry.flag ?? '0', 156, 'latin1');
    if (entry.link) h.write(entry.link, 157, 100, 'utf8');
    h.write('ustar\x0000', 257, 'latin1');
    if (entry.field) {
      h.fill(0, entry.field[0], entry.field[0] + entry.field[1].length);
      h.write(entry.field[1], entry.field[0], 'latin1');
    }
    h.write('        ', 148, 'latin1');
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

/** A PAX header entry with one `key=value` record (its length prefix computed). */
function paxEntry(key: string, value: string): Entry {
  const rest = ` ${key}=${value}\n`;
  let length = rest.length + 1;
  while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
  return { name: 'PaxHeader', flag: 'x', data: `${length}${rest}` };
}

describe.skipIf(missing !== undefined && !process.env.CI)(
  'file and archive attacks through sbx serve',
  () => {
    let server: Serve;
    const boxes: Record<string, string> = {};
    const put = (box: string, path: string, body: Buffer | string, type = 'application/x-tar') =>
      fetch(`${server.base}/v1/sandboxes/${box}/files?path=${encodeURIComponent(path)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': type },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
    const sh = async (box: string, cmd: string) =>
      (await server.api('POST', `/v1/sandboxes/${box}/exec`, { cmd })).json() as Promise<{
        stdout: string;
        stderr: string;
        exitCode: number;
      }>;
    async function healthy(): Promise<void> {
      const t0 = performance.now();
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(1_000) });
      expect(res.status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(1_000);
    }

    beforeAll(async () => {
      if (missing) throw new Error(missing);
      server = await startServe(tempDb(), [
        '--allow-runtime',
        'runsc',
        '--max-upload-entries',
        '500',
        '--max-file-bytes',
        String(2 * MIB),
        '--tmpfs-inodes',
        '4000',
      ]);
      for (const runtime of ['runc', 'runsc']) {
        const created = await server.api('POST', '/v1/sandboxes', {
          type: 'docker',
          image: TEST_IMAGE,
          pull: 'never',
          cmd: READY_CMD,
          ready: 'log:^ready$',
          runtime,
        });
        expect(created.status).toBe(201);
        boxes[runtime] = (await created.json()).id;
      }
    }, 120_000);
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
    });

    it('corrupt numbers in headers and PAX records get a 400 and never freeze the server', async () => {
      const box = boxes.runc as string;
      const corrupt: Array<[string, Entry[]]> = [
        ['size 9 padded with spaces', [{ name: 'a', data: 'x', field: [124, '9          '] }]],
        ['size garbage', [{ name: 'a', data: 'x', field: [124, 'zz\0'] }]],
        ['mode garbage', [{ name: 'a', data: 'x', field: [100, '9999999'] }]],
        ['uid garbage', [{ name: 'a', data: 'x', field: [108, '-1'] }]],
        ['mtime garbage', [{ name: 'a', data: 'x', field: [136, '1e9'] }]],
        ['negative base-256 size', [{ name: 'a', data: 'x', field: [124, '\xff\xff\xff\xff'] }]],
        ['PAX size=-1', [paxEntry('size', '-1'), { name: 'a', data: 'x' }]],
        ['PAX size=1.5', [paxEntry('size', '1.5'), { name: 'a', data: 'x' }]],
        ['PAX huge size', [paxEntry('size', '9'.repeat(30)), { name: 'a', data: 'x' }]],
        ['PAX uid=x', [paxEntry('uid', 'x'), { name: 'a', data: 'x' }]],
      ];
      // All at once, then one by one: none may hang the event loop.
      const all = corrupt.map(([, entries]) => put(box, '/tmp/up', tarOf(entries)));
      await healthy();
      for (const res of await Promise.all(all)) expect(res.status).toBe(400);
      for (const [what, entries] of corrupt) {
        const res = await put(box, '/tmp/up', tarOf(entries));
        const body = await res.json();
        expect({ what, status: res.status }).toEqual({ what, status: 400 });
        expect(body.error).toMatchObject({
          code: 'INVALID_SPEC',
          message: expect.stringContaining('not a valid tar'),
        });
        await healthy();
      }
      expect((await sh(box, 'test -e /tmp/up && echo made || echo none')).stdout).toBe('none\n');
    });

    it.each(['runc', 'runsc'])(
      '%s: no archive writes through a symlink onto the read-only rootfs',
      async (rt) => {
        const box = boxes[rt] as string;
        const absent = async () =>
          expect((await sh(box, 'ls /etc/x /etc/y /etc/z 2>/dev/null | wc -l')).stdout.trim()).toBe('0');
        // A symlink the archive makes, then an entry through it.
        const own = await put(
          box,
          '/tmp/t1',
          tarOf([
            { name: 'l', flag: '2', link: '/etc' },
            { name: 'l/x', data: 'x' },
          ]),
        );
        expect(own.status).toBe(400);
        expect((await own.json()).error.message).toMatch(/passes through "l", a symlink the archive made/);
        // A hard link to a rootfs file.
        const hard = await put(box, '/tmp/t1', tarOf([{ name: 'h', flag: '1', link: '/etc/passwd' }]));
        expect(hard.status).toBe(400);
        // A symlink the sandbox made beforehand, inside the target and as the target.
        expect(
          (await sh(box, 'mkdir -p /tmp/t2 && ln -s /etc /tmp/t2/l && ln -s /etc /tmp/l && echo ok')).stdout,
        ).toBe('ok\n');
        const theirs = await put(box, '/tmp/t2', tarOf([{ name: 'l/y', data: 'y' }]));
        expect(theirs.status).toBe(400);
        expect((await theirs.json()).error.message).toMatch(
          /\/tmp\/t2\/l is not a directory \(a file or a symlink\)/,
        );
        for (const path of ['/tmp/l', '/tmp/l/sub']) {
          const res = await put(box, path, tarOf([{ name: 'z', data: 'z' }]));
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        }
        const file = await put(box, '/tmp/l/z', 'z', 'application/octet-stream');
        expect(file.status).toBe(409);
        await absent();
        // A legit archive with links inside it still unpacks.
        const ok = await put(
          box,
          '/tmp/t3',
          tarOf([
            { name: 'd/a', data: 'a' },
            { name: 'd/b', flag: '2', link: 'a' },
          ]),
        );
        expect(ok.status).toBe(201);
        expect((await sh(box, 'cat /tmp/t3/d/b')).stdout).toBe('a');
      },
    );

    it.each(['runc', 'runsc'])(
      '%s: /tmp holds a bounded number of inodes; an upload a bounded number of entries',
      async (rt) => {
        const box = boxes[rt] as string;
        // --tmpfs-inodes 4000: the 5,000th empty file fails inside the sandbox (the default is in the unit tests).
        const made = await sh(
          box,
          'mkdir /tmp/many && cd /tmp/many && seq 1 5000 | xargs touch 2>&1 | head -1; ls | wc -l',
        );
        expect(made.stdout).toMatch(/No space left on device/);
        expect(Number(made.stdout.trim().split('\n').at(-1))).toBeLessThan(4000);
        await sh(box, 'rm -rf /tmp/many');
        const many = tarOf(Array.from({ length: 501 }, (_, i) => ({ name: `f${i}` })));
        const res = await put(box, '/tmp/flood', many);
        expect(res.status).toBe(413);
        expect((await res.json()).error.message).toMatch(/more than 500 files and directories/);
        expect(
          (await put(box, '/tmp/flood', tarOf(Array.from({ length: 400 }, (_, i) => ({ name: `f${i}` })))))
            .status,
        ).toBe(201);
      },
    );

    it('a directory download is bound by maxFileBytes, headers included; a listing answers', async () => {
      const box = boxes.runc as string;
      await sh(box, 'rm -rf /tmp/t* /tmp/flood; mkdir /tmp/small && echo a > /tmp/small/a');
      const small = await fetch(`${server.base}/v1/sandboxes/${box}/files?path=/tmp/small`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(small.status).toBe(200);
      expect((await small.arrayBuffer()).byteLength).toBe(2048);
      // 3,000 one-byte files: 3 KB of data, 3 MiB of archive, over the 2 MiB cap.
      const made = await sh(
        box,
        'mkdir /tmp/big && cd /tmp/big && i=0; while [ $i -lt 3000 ]; do echo > f$i; i=$((i+1)); done; ls | wc -l',
      );
      expect(made.stdout.trim()).toBe('3000');
      const over = await fetch(`${server.base}/v1/sandboxes/${box}/files?path=/tmp/big`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      // The stream is cut before the bytes past the cap: the reader fails instead of getting them.
      let got = 0;
      await expect(
        (async () => {
          for await (const chunk of over.body as unknown as AsyncIterable<Uint8Array>) got += chunk.length;
        })(),
      ).rejects.toThrow();
      expect(got).toBeLessThanOrEqual(2 * MIB);
      const listed = await server.api('GET', `/v1/sandboxes/${box}/files?path=/tmp/big&list=1`);
      expect(listed.status).toBe(200);
      await healthy();
      await sh(box, 'rm -rf /tmp/big');
    });

    it('concurrent transfers are capped per tenant: 429 with Retry-After', async () => {
      const box = boxes.runc as string;
      const body = Buffer.alloc(1.5 * MIB);
      const all = await Promise.all(
        Array.from({ length: 8 }, (_, i) => put(box, `/tmp/c${i}`, body, 'application/octet-stream')),
      );
      const statuses = all.map((r) => r.status).sort();
      expect(statuses).toContain(201);
      expect(statuses).toContain(429);
      const refused = all.find((r) => r.status === 429) as Response;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await refused.json()).error).toMatchObject({
        code: 'TOO_MANY_TRANSFERS',
        message: expect.stringMatching(/file transfers per tenant at once/),
      });
      await healthy();
    });
  },
);
