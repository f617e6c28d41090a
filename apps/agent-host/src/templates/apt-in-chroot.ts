import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ARCHIVES = 'var/cache/apt/archives';
const CHROOT_ENV = ['/usr/bin/env', 'DEBIAN_FRONTEND=noninteractive', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'];

/**
 * The apt-get commands that add a template's packages inside the configured rootfs (apt's resolver: debootstrap's
 * own takes minutes on a list like npm's): refresh the lists, download, install, without recommends.
 */
export function aptCommands(root: string, packages: readonly string[]) {
  const apt = (...args: string[]) => ['chroot', root, ...CHROOT_ENV, 'apt-get', '-q', '-y', ...args];
  // No fsync per file (a throwaway rootfs that is tarred whole): dpkg's unpack is several times faster.
  const install = [
    '-o',
    'Dpkg::Options::=--force-unsafe-io',
    'install',
    '--no-install-recommends',
    ...packages,
  ];
  return { update: apt('update'), download: apt('--download-only', ...install), install: apt(...install) };
}

/** Puts the shared cache's packages where apt in the rootfs looks first (hard links; a copy across devices). */
export function seedArchives(root: string, cacheDir: string): void {
  const into = join(root, ARCHIVES);
  mkdirSync(into, { recursive: true });
  for (const name of debs(cacheDir)) {
    const target = join(into, name);
    if (existsSync(target)) continue;
    try {
      linkSync(join(cacheDir, name), target);
    } catch {
      copyFileSync(join(cacheDir, name), target);
    }
  }
}

/** Keeps what apt downloaded in the shared cache for the next build. */
export function keepArchives(root: string, cacheDir: string): void {
  const from = join(root, ARCHIVES);
  for (const name of debs(from)) {
    if (!existsSync(join(cacheDir, name))) copyFileSync(join(from, name), join(cacheDir, name));
  }
}

function debs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.deb'));
  } catch {
    return [];
  }
}
