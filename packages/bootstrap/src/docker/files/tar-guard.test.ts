// Archives tar-stream alone would read differently from Go's archive/tar (which the engine unpacks with): an
// entry one of them skips as data, or a name one of them takes from another record. The checks would then
// approve one archive and the engine unpack another, so each is refused before any check runs.
import { describe, expect, it } from 'vitest';
import { fixChecksum, paxRecord, rawEntry, TAR_END } from '../testing/raw-tar.js';
import { readTar } from './tar-read.js';
import { checkUpload } from './tar-upload.js';

async function names(bytes: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const { header } of readTar([bytes])) out.push(header.name);
  return out;
}

describe('the guard in front of tar-stream', { timeout: 5_000 }, () => {
  it('refuses an entry that hides a header in data only one reader reads', async () => {
    const hidden = await rawEntry('l/x', '0', 'pwned');
    const cases = [
      // Go reads no data for a link, device or fifo; tar-stream reads `size` bytes, hiding `l/x` from the checks.
      ...['1', '2', '3', '4', '6'].map(async (flag) =>
        Buffer.concat([await rawEntry('l', flag, hidden.toString('latin1'), '/etc'), TAR_END]),
      ),
      // Go takes an old-style file (`\0`) named `d/` for a directory without data; tar-stream reads its data.
      rawEntry('d/', '\0', hidden.toString('latin1')).then((b) => Buffer.concat([b, TAR_END])),
    ];
    for (const bytes of await Promise.all(cases)) {
      await expect(names(bytes)).rejects.toMatchObject({
        code: 'INVALID_SPEC',
        message: expect.stringMatching(/carries no data but states|named as a directory but states/),
      });
      await expect(checkUpload(bytes)).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    }
  });

  it('refuses names that tar-stream and Go take from different records', async () => {
    const target = await rawEntry('l/x', '0', 'x');
    const cases: Array<[string, Buffer[]]> = [
      // tar-stream merges a global header into the next entry's own; the engine ignores global headers.
      [
        'global PAX header sets path',
        [
          await rawEntry('g', 'g', paxRecord('path', 'safe')),
          await rawEntry('x', 'x', paxRecord('mtime', '1')),
        ],
      ],
      [
        'global PAX header sits between',
        [
          await rawEntry('x', 'x', paxRecord('path', 'safe')),
          await rawEntry('g', 'g', paxRecord('comment', 'c')),
        ],
      ],
      [
        'global PAX header sits between',
        [await rawEntry('L', 'L', 'safe'), await rawEntry('g', 'g', paxRecord('comment', 'c'))],
      ],
      // With both, Go takes the GNU long name and tar-stream the PAX path.
      [
        'both a GNU long name and a PAX name',
        [await rawEntry('L', 'L', 'l/x'), await rawEntry('x', 'x', paxRecord('path', 'safe'))],
      ],
      [
        'both a GNU long name and a PAX name',
        [await rawEntry('x', 'x', paxRecord('path', 'safe')), await rawEntry('L', 'L', 'l/x')],
      ],
    ];
    for (const [message, before] of cases) {
      const bytes = Buffer.concat([...before, target, TAR_END]);
      await expect(names(bytes), message).rejects.toMatchObject({
        code: 'INVALID_SPEC',
        message: expect.stringContaining(message),
      });
    }
    // A STAR header's prefix is 131 bytes for Go (a time follows) and 155 for tar-stream; GNU sparse
    // entries carry maps tar-stream does not read.
    const star = Buffer.from(target);
    star.write(`${'a'.repeat(131)}00000000000`, 345, 'latin1');
    star.write('tar\0', 508, 'latin1');
    await expect(names(Buffer.concat([fixChecksum(star), TAR_END]))).rejects.toThrow(/STAR header/);
    await expect(names(Buffer.concat([await rawEntry('s', 'S', 'x'), TAR_END]))).rejects.toThrow(
      /GNU sparse/,
    );
  });

  it('still reads what both read alike: global comments, PAX and GNU long names, old-style directories', async () => {
    const long = `${'n'.repeat(120)}/f`;
    const bytes = Buffer.concat([
      await rawEntry('g', 'g', paxRecord('comment', 'git archive')),
      await rawEntry('L', 'L', long),
      await rawEntry('short', '0', 'data'),
      await rawEntry('x', 'x', paxRecord('path', 'p/ä.txt')),
      await rawEntry('short', '0'),
      await rawEntry('old/', '\0'),
      TAR_END,
    ]);
    expect(await names(bytes)).toEqual([long, 'p/ä.txt', 'old/']);
    expect((await checkUpload(bytes)).paths).toBe(5);
  });
});
