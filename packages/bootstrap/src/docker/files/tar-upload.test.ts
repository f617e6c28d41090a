import { describe, expect, it } from 'vitest';
import { readTar } from './tar-read.js';
import { checkUpload } from './tar-upload.js';
import { packEntries, type TarWriteHeader } from './tar-write.js';

type Entry = Partial<TarWriteHeader> & { name: string; data?: string; flag?: string };

async function archive(entries: Entry[]): Promise<Buffer> {
  const END = Buffer.alloc(1024);
  const parts = await Promise.all(
    entries.map(async ({ data = '', flag, ...rest }) => {
      const header = await packEntries(
        [{ type: 'file', mode: 0o644, mtimeMs: 0, ...rest, data: Buffer.from(data) }],
        {
          end: false,
        },
      );
      if (flag) {
        header.write(flag, 156, 'latin1');
        header.write('        ', 148, 'latin1');
        let sum = 0;
        for (let i = 0; i < 512; i++) sum += header[i] ?? 0;
        header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      }
      return header;
    }),
  );
  return Buffer.concat([...parts, END]);
}

async function names(tar: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const { header } of readTar([tar, Buffer.alloc(1024)])) out.push(header.name);
  return out;
}

const link = (name: string, linkName: string): Entry => ({ name, type: 'symlink', linkName });

describe('checkUpload', { timeout: 5_000 }, () => {
  it('refuses every entry that passes through a symlink the archive made', async () => {
    for (const entries of [
      [link('l', '/etc'), { name: 'l/x', data: 'x' }],
      [link('l', '/etc'), { name: 'l/sub', type: 'directory' as const }],
      [link('l', '.'), { name: './l/x', data: 'x' }],
      [{ name: 'd', type: 'directory' as const }, link('d/l', '/etc'), { name: 'd/l/deep/x', data: 'x' }],
      [link('l', '/etc'), link('l/m', '/'), { name: 'z', data: '' }],
      [link('l', '/etc'), { name: 'h', linkName: 'l/passwd', flag: '1' }],
      [link('l', '/etc'), { name: 'l/', type: 'directory' as const }, { name: 'l/x', data: 'x' }],
    ]) {
      await expect(checkUpload(await archive(entries))).rejects.toThrow(
        /a symlink the archive made|earlier entry/,
      );
    }
  });

  it('refuses names that leave the target, hard links to anything but an earlier entry, devices and fifos', async () => {
    await expect(checkUpload(await archive([{ name: '../x', data: 'x' }]))).rejects.toThrow(/\.\. component/);
    await expect(checkUpload(await archive([{ name: 'a/../../x', data: 'x' }]))).rejects.toThrow(
      /\.\. component/,
    );
    await expect(
      checkUpload(await archive([{ name: 'h', linkName: '/etc/passwd', flag: '1' }])),
    ).rejects.toThrow(/earlier entry/);
    await expect(checkUpload(await archive([{ name: 'h', linkName: '../x', flag: '1' }]))).rejects.toThrow(
      /\.\. component/,
    );
    for (const flag of ['3', '4', '6', 'S', 'V', 'Z']) {
      await expect(checkUpload(await archive([{ name: 'dev', flag }]))).rejects.toThrow(
        /only files, directories/,
      );
    }
  });

  it('accepts links inside the archive and names every parent directory first', async () => {
    const { parents, paths } = await checkUpload(
      await archive([
        { name: 'src/', type: 'directory', mode: 0o700 },
        { name: 'src/a/b.txt', data: 'b' },
        link('src/latest', 'a/b.txt'),
        link('abs', '/usr/bin/env'),
        { name: 'hard', linkName: 'src/a/b.txt', flag: '1' },
        { name: '/top/x', data: 'x' },
      ]),
    );
    expect(await names(parents)).toEqual(['src/', 'src/a/', 'top/']);
    expect(paths).toBe(8);
  });

  it('caps the paths an archive creates (entries and their parents)', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: '' }));
    expect((await checkUpload(await archive(many), 50)).paths).toBe(50);
    await expect(checkUpload(await archive(many), 49)).rejects.toThrow(/more than 49 files and directories/);
    const deep = await archive([{ name: 'a/b/c/d/e', data: '' }]);
    await expect(checkUpload(deep, 4)).rejects.toThrow(/more than 4/);
    await expect(checkUpload(deep, 4)).rejects.toThrow(expect.objectContaining({ code: 'FILE_TOO_LARGE' }));
  });

  it('refuses an archive cut short or not a tar', async () => {
    const whole = await archive([{ name: 'a', data: 'abc' }]);
    await expect(checkUpload(whole.subarray(0, 700))).rejects.toThrow(/ends early/);
    await expect(checkUpload(Buffer.from('not a tar'))).rejects.toThrow(/ends early/);
    await expect(checkUpload(Buffer.alloc(512, 1))).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_SPEC', message: expect.stringMatching(/checksum/) }),
    );
  });
});
