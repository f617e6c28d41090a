import { posix } from 'node:path';
import { BootstrapError } from '../../errors.js';
import type { FileStat } from '../../sandbox-adapter.js';

/** The longest path a file call takes. */
export const MAX_PATH_CHARS = 4096;

/** Checks a path inside a sandbox (absolute, no NUL, bounded) and normalizes it (`/a/./b/../c` -> `/a/c`). */
export function sandboxPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new BootstrapError(
      'INVALID_SPEC',
      `path must be absolute (start with /), got ${JSON.stringify(path)}`,
    );
  }
  if (path.length > MAX_PATH_CHARS || path.includes('\0')) {
    throw new BootstrapError('INVALID_SPEC', `path must be at most ${MAX_PATH_CHARS} characters without NUL`);
  }
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

// Go's os.FileMode bits (above 32 bits' sign, so arithmetic rather than bitwise operators).
const bit = (mode: number, n: number) => Math.floor(mode / 2 ** n) % 2 === 1;
const DIR = 31;
const SYMLINK = 27;
// Named pipe, socket, device, char device, irregular: not a regular file.
const OTHER = [26, 25, 24, 21, 19];

/** Decodes the engine's `X-Docker-Container-Path-Stat` header (base64 JSON with a Go file mode). */
export function decodePathStat(header: unknown): FileStat | undefined {
  if (typeof header !== 'string') return undefined;
  const raw = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
    name?: string;
    size?: number;
    mode?: number;
    mtime?: string;
    linkTarget?: string;
  };
  const mode = raw.mode ?? 0;
  const type = bit(mode, DIR)
    ? 'directory'
    : bit(mode, SYMLINK)
      ? 'symlink'
      : OTHER.some((n) => bit(mode, n))
        ? 'other'
        : 'file';
  return {
    name: raw.name ?? '',
    type,
    size: raw.size ?? 0,
    mode: mode % 0o1000,
    mtimeMs: raw.mtime ? Date.parse(raw.mtime) : 0,
    ...(raw.linkTarget ? { linkTarget: raw.linkTarget } : {}),
  };
}

/** The Go file mode the engine would report for a stat (the fake engine uses it). */
export function encodePathStat(stat: FileStat): string {
  const typeBits = stat.type === 'directory' ? 2 ** DIR : stat.type === 'symlink' ? 2 ** SYMLINK : 0;
  const json = {
    name: stat.name,
    size: stat.size,
    mode: typeBits + stat.mode,
    mtime: new Date(stat.mtimeMs).toISOString(),
    linkTarget: stat.linkTarget ?? '',
  };
  return Buffer.from(JSON.stringify(json)).toString('base64');
}
