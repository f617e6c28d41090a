import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { FileStat } from '@sbx/bootstrap';
import { type EntryInfo, EntryInfoSchema, FileType } from './gen/filesystem/filesystem_pb.js';

/** A `FileStat` as E2B's `EntryInfo`. */
export function toEntry(path: string, stat: FileStat): EntryInfo {
  const type =
    stat.type === 'directory'
      ? FileType.DIRECTORY
      : stat.type === 'symlink'
        ? FileType.SYMLINK
        : FileType.FILE;
  return create(EntryInfoSchema, {
    name: stat.name,
    type,
    path,
    size: BigInt(Math.max(0, Math.trunc(stat.size))),
    mode: stat.mode,
    permissions: permissions(stat),
    modifiedTime: timestampFromMs(Math.trunc(stat.mtimeMs)),
    ...(stat.linkTarget === undefined ? {} : { symlinkTarget: stat.linkTarget }),
  });
}

function permissions(stat: FileStat): string {
  const kind = stat.type === 'directory' ? 'd' : stat.type === 'symlink' ? 'l' : '-';
  let bits = '';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const b = (stat.mode >> shift) & 7;
    bits += `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  }
  return kind + bits;
}

export function join(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}
