import { describe, expect, it } from 'vitest';
import { encodeHeader, padding, TAR_END, type TarHeader } from './tar-header.js';
import { TarParser } from './tar-parser.js';
import { checkUpload } from './tar-upload.js';

type Entry = Partial<TarHeader> & { name: string; data?: string; flag?: string };

function archive(entries: Entry[]): Buffer {
  return Buffer.concat([
    ...entries.flatMap(({ data = '', flag, ...rest }) => {
      const body = Buffer.from(data);
      const header = encodeHeader({ type: 'file', mode: 0o644, mtimeMs: 0, ...rest, size: body.length });
      if (flag) {
        header.write(flag, 156, 'latin1');
        header.write('        ', 148, 'latin1');
        let sum = 0;
        for (let i = 0; i < 512; i++) sum += header[i] ?? 0;
        header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      }
      return [header, body, padding(body.length)];
    }),
    TAR_END,
  ]);
}

function names(tar: Buffer): string[] {
  const out: string[] = [];
  new TarParser({ onEntry: (h) => out.push(h.name) }).push(Buffer.concat([tar, TAR_END]));
  return out;
}

const link = (name: string, linkName: string): Entry => ({ name, type: 'symlink', linkName });

describe('checkUpload', { timeout: 5_000 }, () => {
  it('refuses every entry that passes through a symlink the archive made', () => {
    for (const entries of [
      [link('l', '/etc'), { name: 'l/x', data: 'x' }],
      [link('l', '/etc'), { name: 'l/sub', type: 'directory' as const }],
      [link('l', '.'), { name: './l/x', data: 'x' }],
      [{ name: 'd', type: 'directory' as const }, link('d/l', '/etc'), { name: 'd/l/deep/x', data: 'x' }],
      [link('l', '/etc'), link('l/m', '/'), { name: 'z', data: '' }],
      [link('l', '/etc'), { name: 'h', linkName: 'l/passwd', flag: '1' }],
      [link('l', '/etc'), { name: 'l/', type: 'directory' as const }, { name: 'l/x', data: 'x' }],
    ]) {
      expect(() => checkUpload(archive(entries))).toThrow(/a symlink the archive made|earlier entry/);
    }
  });

  it('refuses names that leave the target, hard links to anything but an earlier entry, devices and fifos', () => {
    expect(() => checkUpload(archive([{ name: '../x', data: 'x' }]))).toThrow(/\.\. component/);
    expect(() => checkUpload(archive([{ name: 'a/../../x', data: 'x' }]))).toThrow(/\.\. component/);
    expect(() => checkUpload(archive([{ name: 'h', linkName: '/etc/passwd', flag: '1' }]))).toThrow(
      /earlier entry/,
    );
    expect(() => checkUpload(archive([{ name: 'h', linkName: '../x', flag: '1' }]))).toThrow(
      /\.\. component/,
    );
    for (const flag of ['3', '4', '6', 'S', 'V', 'Z']) {
      expect(() => checkUpload(archive([{ name: 'dev', flag }]))).toThrow(/only files, directories/);
    }
  });

  it('accepts links inside the archive and names every parent directory first', () => {
    const { parents, paths } = checkUpload(
      archive([
        { name: 'src/', type: 'directory', mode: 0o700 },
        { name: 'src/a/b.txt', data: 'b' },
        link('src/latest', 'a/b.txt'),
        link('abs', '/usr/bin/env'),
        { name: 'hard', linkName: 'src/a/b.txt', flag: '1' },
        { name: '/top/x', data: 'x' },
      ]),
    );
    expect(names(parents)).toEqual(['src/', 'src/a/', 'top/']);
    expect(paths).toBe(8);
  });

  it('caps the paths an archive creates (entries and their parents)', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: '' }));
    expect(checkUpload(archive(many), 50).paths).toBe(50);
    expect(() => checkUpload(archive(many), 49)).toThrow(/more than 49 files and directories/);
    expect(() => checkUpload(archive([{ name: 'a/b/c/d/e', data: '' }]), 4)).toThrow(/more than 4/);
    expect(() => checkUpload(archive([{ name: 'a/b/c/d/e', data: '' }]), 4)).toThrow(
      expect.objectContaining({ code: 'FILE_TOO_LARGE' }),
    );
  });

  it('refuses an archive cut short or not a tar', () => {
    const whole = archive([{ name: 'a', data: 'abc' }]);
    expect(() => checkUpload(whole.subarray(0, 700))).toThrow(/ends early/);
    expect(() => checkUpload(Buffer.from('not a tar'))).toThrow(/ends early/);
    expect(() => checkUpload(Buffer.alloc(512, 1))).toThrow(
      expect.objectContaining({ code: 'INVALID_SPEC', message: expect.stringMatching(/checksum/) }),
    );
  });
});
