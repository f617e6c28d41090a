import { describe, expect, it } from 'vitest';
import { encodeHeader, padding, TAR_END, type TarHeader } from './tar-header.js';
import { TarParser } from './tar-parser.js';

function archive(entries: Array<{ header: TarHeader; data?: Buffer }>): Buffer {
  return Buffer.concat([
    ...entries.flatMap(({ header, data = Buffer.alloc(0) }) => [
      encodeHeader({ ...header, size: data.length }),
      data,
      padding(data.length),
    ]),
    TAR_END,
  ]);
}

function parse(bytes: Buffer, chunkSize: number) {
  const entries: Array<TarHeader & { data: string }> = [];
  const parser = new TarParser({
    onEntry: (header) => entries.push({ ...header, data: '' }),
    onData: (chunk) => {
      const last = entries.at(-1);
      if (last) last.data += chunk.toString();
    },
  });
  for (let i = 0; i < bytes.length; i += chunkSize) parser.push(bytes.subarray(i, i + chunkSize));
  return { entries, ended: parser.ended };
}

const at = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('tar', () => {
  it('round-trips files, directories, links and names too long for ustar, in chunks of any size', () => {
    const long = `${'deep/'.repeat(30)}файл.txt`;
    const bytes = archive([
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
      const { entries, ended } = parse(bytes, size);
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

  it('refuses a block that is not a tar header', () => {
    const parser = new TarParser({ onEntry: () => {} });
    expect(() => parser.push(Buffer.alloc(512, 1))).toThrow(/not a valid tar archive: .*checksum/);
  });
});
