// Hand-made tar entries for tests: any type flag, any record, so a test can build the archives an attacker would.
import { packEntries } from '../files/tar-write.js';

/** The end-of-archive blocks. */
export const TAR_END: Buffer = Buffer.alloc(1024);

/** Recomputes the checksum of the header block at `at`, so only the fields a test changed are wrong. */
export function fixChecksum(bytes: Buffer, at = 0): Buffer {
  bytes.write('        ', at + 148, 'latin1');
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += bytes[i] ?? 0;
  bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
  return bytes;
}

/** One entry whose header says type `flag` (`x`, `g`, `L` make PAX and long-name records), `data` after it. */
export async function rawEntry(name: string, flag: string, data = '', linkName?: string): Promise<Buffer> {
  const bytes = await packEntries(
    [
      {
        name,
        type: 'file',
        mode: 0o644,
        mtimeMs: 0,
        data: Buffer.from(data),
        ...(linkName ? { linkName } : {}),
      },
    ],
    { end: false },
  );
  bytes.write(flag, 156, 'latin1');
  return fixChecksum(bytes);
}

/** One PAX record (`LEN key=value\n`, its length counting itself). */
export function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let length = rest + 1;
  while (String(length).length + rest !== length) length = String(length).length + rest;
  return `${length} ${key}=${value}\n`;
}
