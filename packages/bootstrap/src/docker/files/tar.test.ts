import { describe, expect, it } from 'vitest';
import { TarGuard } from './tar-guard.js';
import { readTar, type TarHeader } from './tar-read.js';
import { packEntries, type TarWriteHeader } from './tar-write.js';

function archive(entries: Array<{ header: TarWriteHeader; data?: Buffer }>): Promise<Buffer> {
  return packEntries(entries.map(({ header, data }) => ({ ...header, ...(data ? { data } : {}) })));
}

async function parse(bytes: Buffer, chunkSize: number) {
  const entries: Array<TarHeader & { data: string }> = [];
  const chunks = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const guard = new TarGuard();
  for await (const { header, body } of readTar(chunks, guard)) {
    const entry = { ...header, data: '' };
    entries.push(entry);
    for await (const chunk of body) entry.data += Buffer.from(chunk).toString();
  }
  return { entries, ended: guard.ended };
}

const at = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('tar', () => {
  it('round-trips files, directories, links and names too long for ustar, in chunks of any size', async () => {
    const long = `${'deep/'.repeat(30)}файл.txt`;
    const bytes = await archive([
      { header: { name: 'dir', type: 'directory', size: 0, mode: 0o755, mtimeMs: at } },
      {
        header: { name: 'dir/a.txt', type: 'file', size: 0, mode: 0o600, mtimeMs: at },
        data: Buffer.from('hello'),
      },
      {
        header: { name: long, type: 'file', size: 0, mode: 0o644, mtimeMs: at },
        data: Buffer.from('x'.repeat(700)),
      },
      { header: { name: 'link', type: 'symlink', size: 0, mode: 0o777, mtimeMs: at, linkName: 'dir/a.txt' } },
    ]);
    for (const size of [1, 7, 512, 100_000]) {
      const { entries, ended } = await parse(bytes, size);
      expect(ended).toBe(true);
      expect(entries.map((e) => [e.name, e.type, e.mode, e.data.length, e.linkName])).toEqual([
        ['dir/', 'directory', 0o755, 0, undefined],
        ['dir/a.txt', 'file', 0o600, 5, undefined],
        [long, 'file', 0o644, 700, undefined],
        ['link', 'symlink', 0o777, 0, 'dir/a.txt'],
      ]);
      expect(entries[1]?.data).toBe('hello');
      expect(entries[1]?.mtimeMs).toBe(at);
    }
  });

  it('refuses a block that is not a tar header', async () => {
    await expect(parse(Buffer.alloc(512, 1), 512)).rejects.toThrow(/not a valid tar archive: .*checksum/);
  });
});
