// What an uploaded archive may hold before the engine unpacks it. The engine's extraction follows symlinks
// (to the container's own rootfs, which is read-only only from inside), so an archive that makes `l -> /etc`
// then writes `l/x`, or writes through a symlink the sandbox made, would land on the rootfs: refused here.
import { posix } from 'node:path';
import { BootstrapError } from '../../errors.js';
import { TarGuard } from './tar-guard.js';
import { badTar } from './tar-numbers.js';
import { readTar, type TarHeader } from './tar-read.js';
import { packEntries, type TarWriteHeader } from './tar-write.js';

/** How many entries an upload may create when the caller gives no cap. */
export const DEFAULT_MAX_UPLOAD_ENTRIES = 10_000;

/** What `checkUpload` found: the archive to hand the engine, and how many paths it creates. */
export interface CheckedUpload {
  /** Directory entries for every parent an entry passes through, to send before the archive itself. */
  parents: Buffer;
  /** Distinct paths the archive writes (its entries and their parents). */
  paths: number;
}

// File, old file, contiguous file, hard link, symlink, directory: nothing that makes a device or a fifo.
const ALLOWED_FLAGS = new Set(['0', '\0', '7', '1', '2', '5']);

/**
 * Checks an archive a caller uploads: whole and well-formed (every numeric field), at most `maxEntries`
 * distinct paths (`FILE_TOO_LARGE` above), only files, directories, symlinks and hard links, no name leaving
 * the target, no entry passing through a symlink the archive made, and hard links only to earlier entries
 * (`INVALID_SPEC` otherwise). Returns directory entries for every parent an entry passes through: sent first
 * with `noOverwriteDirNonDir`, they make the engine refuse a parent the sandbox turned into a symlink instead
 * of following it.
 */
export async function checkUpload(
  bytes: Uint8Array,
  maxEntries = DEFAULT_MAX_UPLOAD_ENTRIES,
): Promise<CheckedUpload> {
  const paths = new Map<string, TarHeader>();
  const symlinks = new Set<string>();
  const parents = new Map<string, TarWriteHeader>();
  const count = (path: string) => {
    if (paths.has(path) || parents.has(path)) return;
    if (paths.size + parents.size >= maxEntries) {
      throw new BootstrapError(
        'FILE_TOO_LARGE',
        `the archive creates more than ${maxEntries} files and directories (the limit per upload) - send fewer entries per upload`,
      );
    }
  };
  const guard = new TarGuard();
  for await (const { header } of readTar([bytes], guard)) {
    const flag = header.flag;
    if (!ALLOWED_FLAGS.has(flag)) {
      throw badTar(
        `entry ${JSON.stringify(header.name)} has type ${JSON.stringify(flag)}: only files, directories, symlinks and hard links are unpacked`,
      );
    }
    const name = entryPath(header.name);
    if (name === '') continue;
    const chain = ancestors(name);
    for (const dir of chain) {
      if (symlinks.has(dir)) {
        throw badTar(
          `entry ${JSON.stringify(name)} passes through ${JSON.stringify(dir)}, a symlink the archive made`,
        );
      }
    }
    if (flag === '1' && !paths.has(entryPath(header.linkName ?? ''))) {
      throw badTar(`hard link ${JSON.stringify(name)} must point to an earlier entry of the archive`);
    }
    for (const dir of chain) {
      count(dir);
      if (!parents.has(dir)) parents.set(dir, paths.get(dir) ?? dirHeader(dir, header.mtimeMs));
    }
    count(name);
    // Once a symlink, always one for the checks: an entry re-declaring it never makes it safe to pass through.
    if (flag === '2') symlinks.add(name);
    if (!paths.has(name)) paths.set(name, header);
  }
  if (!guard.ended) throw badTar('it ends early (no end-of-archive block)');
  const dirs = [...parents.entries()].map(([name, header]) => ({
    name,
    type: 'directory' as const,
    mode: header.mode,
    mtimeMs: header.mtimeMs,
  }));
  return {
    parents: await packEntries(dirs, { end: false }),
    paths: new Set([...paths.keys(), ...parents.keys()]).size,
  };
}

/** An entry's path as the engine unpacks it (cleaned, relative to the target); refuses one that leaves it. */
export function entryPath(name: string): string {
  const clean = posix.normalize(`/${name}`).replace(/^\/+|\/+$/g, '');
  if (name.split('/').includes('..')) {
    throw badTar(`entry ${JSON.stringify(name)} has a .. component: names stay inside the target directory`);
  }
  return clean;
}

// `a/b/c` -> `a`, `a/b`.
function ancestors(name: string): string[] {
  const parts = name.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

function dirHeader(name: string, mtimeMs: number): TarWriteHeader {
  return { name, type: 'directory', mode: 0o755, mtimeMs };
}
