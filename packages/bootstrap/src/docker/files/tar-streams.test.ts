import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { listChildren, relativeTar } from './tar-streams.js';
import { packEntries, type TarWriteHeader } from './tar-write.js';

const built = new Map<string, Buffer>();

// The engine's archive of directory `d`: `count` files of `size` bytes, `depth` directories deep (each built
// once: packing thousands of entries is the slow part of these tests).
async function engineTar(count: number, size: number, depth = 0): Promise<PassThrough> {
  const key = `${count}/${size}/${depth}`;
  const bytes = built.get(key) ?? (await pack(count, size, depth));
  built.set(key, bytes);
  const stream = new PassThrough();
  stream.end(bytes);
  return stream;
}

function pack(count: number, size: number, depth: number): Promise<Buffer> {
  const dir = `d/${'n/'.repeat(depth)}`;
  const entries: Array<TarWriteHeader & { data?: Buffer }> = [
    { name: 'd/', type: 'directory', mode: 0o755, mtimeMs: 0 },
  ];
  for (let i = 1; i <= depth; i++) {
    entries.push({ name: `d/${'n/'.repeat(i)}`, type: 'directory', mode: 0o755, mtimeMs: 0 });
  }
  for (let i = 0; i < count; i++) {
    entries.push({
      name: `${dir}f${i}`,
      type: 'file',
      mode: 0o644,
      mtimeMs: 0,
      data: Buffer.alloc(size, 97),
    });
  }
  return packEntries(entries);
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

describe('directory archives read from the engine', () => {
  it('a directory download counts headers and padding: many small files cannot pass maxBytes', async () => {
    // 2,000 one-byte files: 2 KB of data, 2 MB of archive.
    await expect(drain(relativeTar(await engineTar(2_000, 1), 1024 * 1024))).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: expect.stringContaining('over 1048576 bytes'),
    });
    expect(await drain(relativeTar(await engineTar(100, 1), 1024 * 1024))).toBe(100 * 1024 + 1024);
  });

  it('a listing stops at the entries, bytes or time it may read, at any depth', async () => {
    const bounds = { maxEntries: 10_000, maxBytes: 1e9, maxScanned: 1e9, maxMs: 60_000 };
    expect(await listChildren(await engineTar(50, 0), bounds)).toMatchObject({ truncated: false });
    expect((await listChildren(await engineTar(50, 0), bounds)).entries).toHaveLength(50);
    // Deep entries are no children, but reading them costs: they count toward the scan.
    expect(await listChildren(await engineTar(5_000, 0, 3), { ...bounds, maxScanned: 1_000 })).toEqual({
      entries: [expect.objectContaining({ name: 'n', type: 'directory' })],
      truncated: true,
    });
    expect(
      (await listChildren(await engineTar(5_000, 0, 3), { ...bounds, maxBytes: 100_000 })).truncated,
    ).toBe(true);
    let t = 0;
    const slow = { ...bounds, maxMs: 10, now: () => (t += 1) };
    expect((await listChildren(await engineTar(5_000, 0, 3), slow)).truncated).toBe(true);
  });
});

describe('an engine stream that breaks', () => {
  it('fails a directory download or listing cut inside an entry, and nothing else', async () => {
    const whole = await pack(3, 100_000, 0);
    for (const cut of [700, 150_000, whole.length - 2_000]) {
      const stream = new PassThrough();
      stream.end(whole.subarray(0, cut));
      await expect(drain(relativeTar(stream, 1e9))).rejects.toThrow(/ends early/);
      const again = new PassThrough();
      again.end(whole.subarray(0, cut));
      const bounds = { maxEntries: 10, maxBytes: 1e9, maxScanned: 1e9, maxMs: 60_000 };
      await expect(listChildren(again, bounds)).rejects.toThrow(/ends early/);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
