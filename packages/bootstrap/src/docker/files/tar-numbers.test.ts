// Corrupt numbers in untrusted archives: every numeric field of a header and of a PAX record, octal and
// base-256, and random bytes. Each must end in an `INVALID_SPEC` or a clean parse, never a hang: the tests
// have a short timeout, and the guard throws if one pass over the input consumed nothing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BLOCK } from './tar-guard.js';
import { readTar } from './tar-read.js';
import { packEntries } from './tar-write.js';

const FIELDS = { mode: [100, 8], uid: [108, 8], gid: [116, 8], size: [124, 12], mtime: [136, 12] } as const;

function fileEntry(name: string, data: Buffer, end = true): Promise<Buffer> {
  return packEntries([{ name, type: 'file', mode: 0o644, mtimeMs: 0, data }], { end });
}

// Rewrites a field of the first header block and fixes its checksum, so only the field is wrong.
function withField(archive: Buffer, offset: number, value: Buffer): Buffer {
  const out = Buffer.from(archive);
  out.fill(0, offset, offset + value.length);
  value.copy(out, offset);
  return fixChecksum(out, 0);
}

function fixChecksum(out: Buffer, at: number): Buffer {
  out.write('        ', at + 148, 'latin1');
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += out[i] ?? 0;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
  return out;
}

async function parse(chunks: Buffer[]): Promise<Array<[string, number]>> {
  const entries: Array<[string, number]> = [];
  for await (const { header, body } of readTar(chunks)) {
    entries.push([header.name, header.size]);
    for await (const _ of body);
  }
  return entries;
}

// Reads `bytes` in chunks of each size; returns the error message, or 'ok' for a clean parse.
function outcome(bytes: Buffer): Promise<string[]> {
  return Promise.all(
    [1, 100, 512, bytes.length].map(async (size) => {
      const chunks = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      try {
        await parse(chunks);
        return 'ok';
      } catch (error) {
        expect(error).toMatchObject({ name: 'BootstrapError', code: 'INVALID_SPEC' });
        return (error as Error).message;
      }
    }),
  );
}

async function pax(records: string): Promise<Buffer> {
  const header = await fileEntry('PaxHeader', Buffer.from(records), false);
  header.write('x', 156, 'latin1');
  return fixChecksum(header, 0);
}

function record(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = rest.length + 1;
  while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
  return `${length}${rest}`;
}

const good = await fileEntry('a.txt', Buffer.from('x'.repeat(600)));
const bad = ['9', '9      ', ' 12 34', 'abc', '-1', '1.5', '0x10', '\u00ff\u00ff', '1e9', '+7'];

describe('tar numbers from untrusted bytes', { timeout: 5_000 }, () => {
  it.each(Object.entries(FIELDS))(
    'a %s field that is not octal is refused, in chunks of any size',
    async (field, [offset, length]) => {
      for (const text of bad) {
        const value = Buffer.from(text.padEnd(length - 1, ' ').slice(0, length), 'latin1');
        const results = await outcome(withField(good, offset, value));
        for (const result of results)
          expect(result).toMatch(new RegExp(`${field} is (not an octal number|above|negative)`));
      }
    },
  );

  it('a base-256 number is read when in range; negative or too big is refused', async () => {
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size.writeUIntBE(600, 6, 6);
    expect(await outcome(withField(good, 124, size))).toEqual(['ok', 'ok', 'ok', 'ok']);
    const negative = Buffer.alloc(12, 0xff);
    for (const r of await outcome(withField(good, 124, negative))) expect(r).toMatch(/size is negative/);
    const huge = Buffer.alloc(12, 0xff);
    huge[0] = 0x80;
    for (const r of await outcome(withField(good, 124, huge))) expect(r).toMatch(/size is above/);
    const mtime = Buffer.alloc(12, 0xff);
    mtime[0] = 0x80;
    for (const r of await outcome(withField(good, 136, mtime))) expect(r).toMatch(/mtime is above/);
  });

  it('a bad or non-numeric checksum is refused', async () => {
    for (const text of ['9', 'zz', '']) {
      const out = Buffer.from(good);
      out.fill(0, 148, 156);
      out.write(text, 148, 'latin1');
      for (const r of await outcome(out)) expect(r).toMatch(/checksum/);
    }
  });

  it.each([
    ['size', ['-1', '1.5', '', 'NaN', '9'.repeat(40), '1e3', ' 5']],
    ['uid', ['-1', 'x']],
    ['gid', ['1.5']],
    ['mtime', ['soon', '1.2.3', '']],
  ])('a PAX %s that is not a number is refused', async (key, values) => {
    for (const value of values) {
      const bytes = Buffer.concat([await pax(record(key, value)), good]);
      for (const r of await outcome(bytes)) expect(r).toMatch(new RegExp(`PAX ${key}=`));
    }
  });

  it('PAX records whose lengths lie are refused; a valid PAX size is applied', async () => {
    for (const body of [
      '99 path=a\n',
      '0 x=y\n',
      'abc path=a\n',
      '5 path=a\n',
      '10 path=a\nxx',
      '7 =abc\n',
    ]) {
      for (const r of await outcome(Buffer.concat([await pax(body), good]))) expect(r).toMatch(/PAX record/);
    }
    const entries = await parse([
      Buffer.concat([await pax(record('size', '600') + record('path', 'p.txt')), good]),
    ]);
    expect(entries).toEqual([['p.txt', 600]]);
  });

  it('random bytes and random corruptions of a header never hang the parser', async () => {
    for (let round = 0; round < 500; round++) {
      const bytes = Buffer.from(good);
      if (round % 2 === 0) randomBytes(BLOCK).copy(bytes, 0);
      else {
        for (let i = 0; i < 8; i++)
          bytes[100 + Math.floor(Math.random() * 160)] = Math.floor(Math.random() * 256);
        fixChecksum(bytes, 0);
      }
      for (const r of await outcome(bytes)) expect(typeof r).toBe('string');
    }
  });
});
