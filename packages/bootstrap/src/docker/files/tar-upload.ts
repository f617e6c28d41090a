// What an uploaded archive may hold before the engine unpacks it. The engine's extraction follows symlinks
// (to the container's own rootfs, which is read-only only from inside), so an archive that makes `l -> /etc`
// then writes `l/x`, or writes through a symlink the sandbox made, would land on the rootfs: refused here.
import { posix } from 'node:path';
import { BootstrapError } from '../../errors.js';
import { encodeHeader, type TarHeader } from './tar-header.js';
import { badTar } from './tar-numbers.js';
import { TarParser } from './tar-parser.js';

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
export function checkUpload(bytes: Uint8Array, maxEntries = DEFAULT_MAX_UPLOAD_ENTRIES): CheckedUpload {
  const paths = new Map<string, TarHeader>();
  const symlinks = new Set<string>();
  const parents = new Map<string, TarHeader>();
  const count = (path: string) => {
    if (paths.has(path) || parents.has(path)) return;
    if (paths.size + parents.size >= maxEntries) {
      throw new BootstrapError(
        'FILE_TOO_LARGE',
        `the archive creates more than ${maxEntries} files and directories (the limit per upload) - send fewer entries per upload`,
      );
    }
  };
  const parser = new TarParser({
    onEntry: (header) => {
      const flag = header.flag ?? '0';
      if (!ALLOWED_FLAGS.has(flag)) {
        throw badTar(
          `entry ${JSON.stringify(header.name)} has type ${JSON.stringify(flag)}: only files, directories, symlinks and hard links are unpacked`,
        );
      }
      const name = entryPath(header.name);
      if (name === '') return;
      const chain = ancestors(name);
      for (const dir of chain) {
        if (symlinks.has(dir)) {
          throw badTar(
            `entry ${JSON.stringify(name)} passes through ${JSON.stringify(dir)}, a symlink the archive made`,
          );
        }
      }
      if (flag === '1') {
        const target = entryPath(header.linkName ?? '');
        if (!paths.has(target)) {
          throw badTar(`hard link ${JSON.stringify(name)} must point to an earlier entry of the archive`);
        }
      }
      for (const dir of chain) {
        count(dir);
        if (!parents.has(dir)) parents.set(dir, paths.get(dir) ?? dirHeader(dir, header.mtimeMs));
      }
      count(name);
      // Once a symlink, always one for the checks: an entry re-declaring it never makes it safe to pass through.
      if (flag === '2') symlinks.add(name);
      if (!paths.has(name)) paths.set(name, header);
    },
  });
  try {
    parser.push(bytes);
  } catch (error) {
    if (error instanceof BootstrapError) throw error;
    throw badTar((error as Error).message);
  }
  if (!parser.ended) throw badTar('it ends early (no end-of-archive block)');
  const dirs = [...parents.entries()].map(([name, header]) =>
    encodeHeader({ name, type: 'directory', size: 0, mode: header.mode, mtimeMs: header.mtimeMs }),
  );
  return { parents: Buffer.concat(dirs), paths: new Set([...paths.keys(), ...parents.keys()]).size };
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

function dirHeader(name: string, mtimeMs: number): TarHeader {
  return { name, type: 'directory', size: 0, mode: 0o755, mtimeMs };
}
