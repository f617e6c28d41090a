import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeHeader, padding, TAR_END } from './tar-header.js';
import { listChildren, relativeTar } from './tar-streams.js';

// The engine's archive of directory `d`: `count` files of `size` bytes, `depth` directories deep.
function engineTar(count: number, size: number, depth = 0): PassThrough {
  const dir = `d/${'n/'.repeat(depth)}`;
  const parts: Uint8Array[] = [
    encodeHeader({ name: 'd/', type: 'directory', size: 0, mode: 0o755, mtimeMs: 0 }),
  ];
  for (let i = 1; i <= depth; i++) {
    parts.push(
      encodeHeader({ name: `d/${'n/'.repeat(i)}`, type: 'directory', size: 0, mode: 0o755, mtimeMs: 0 }),
    );
  }
  for (let i = 0; i < count; i++) {
    const name = `${dir}f${i}`;
    parts.push(
      encodeHeader({ name, type: 'file', size, mode: 0o644, mtimeMs: 0 }),
      Buffer.alloc(size, 97),
      padding(size),
    );
  }
  const stream = new PassThrough();
  stream.end(Buffer.concat([...parts, TAR_END]));
  return stream;
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

describe('directory archives read from the engine', () => {
  it('a directory download counts headers and padding: many small files cannot pass maxBytes', async () => {
    // 2,000 one-byte files: 2 KB of data, 2 MB of archive.
    await expect(drain(relativeTar(engineTar(2_000, 1), 1024 * 1024))).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: expect.stringContaining('over 1048576 bytes'),
    });
    expect(await drain(relativeTar(engineTar(100, 1), 1024 * 1024))).toBe(100 * 1024 + 1024);
  });

  it('a listing stops at the entries, bytes or time it may read, at any depth', async () => {
    const bounds = { maxEntries: 10_000, maxBytes: 1e9, maxScanned: 1e9, maxMs: 60_000 };
    expect(await listChildren(engineTar(50, 0), bounds)).toMatchObject({ truncated: false });
    expect((await listChildren(engineTar(50, 0), bounds)).entries).toHaveLength(50);
    // Deep entries are no children, but reading them costs: they count toward the scan.
    expect(await listChildren(engineTar(5_000, 0, 3), { ...bounds, maxScanned: 1_000 })).toEqual({
      entries: [expect.objectContaining({ name: 'n', type: 'directory' })],
      truncated: true,
    });
    expect((await listChildren(engineTar(5_000, 0, 3), { ...bounds, maxBytes: 100_000 })).truncated).toBe(
      true,
    );
    let t = 0;
    const slow = { ...bounds, maxMs: 10, now: () => (t += 1) };
    expect((await listChildren(engineTar(5_000, 0, 3), slow)).truncated).toBe(true);
  });
});
