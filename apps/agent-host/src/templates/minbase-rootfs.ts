import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildPhase, BuildProgress } from './build-progress.js';
import { TEMPLATE_RECIPE_VERSION } from './template-catalog.js';

/** What `minbaseRootfs` uses of the build under way: its runner, phase timer and progress. */
export interface MinbaseSteps {
  run(argv: string[], more?: { onLine?: (line: string) => void }): Promise<void>;
  timed(phase: BuildPhase, fn: () => Promise<void> | void): Promise<void>;
  phasesMs: Partial<Record<BuildPhase, number>>;
  report(phase: BuildPhase, event: BuildProgress['event'], ms?: number): void;
  now(): number;
}

/** The configured minbase of a suite, kept in the package cache: `minbase-SUITE-rRECIPE.tar`. */
export function minbaseTarball(cacheDir: string, suite: string): string {
  return join(cacheDir, `minbase-${suite}-r${TEMPLATE_RECIPE_VERSION}.tar`);
}

/**
 * Fills `root` with a configured Debian minbase of `suite`: unpacked from the cache's tarball when an earlier
 * build left one (every template of a suite starts from the same minbase; delete the tarball to refresh it),
 * else debootstrap `--foreign` (download ends at its first "Extracting" line, then it unpacks) and
 * `--second-stage` in a chroot, then the tarball is written (through a rename) for the next build.
 */
export async function minbaseRootfs(
  where: { suite: string; root: string; archive: string | undefined; cacheDir: string },
  steps: MinbaseSteps,
): Promise<void> {
  const { suite, root, archive, cacheDir } = where;
  const tarball = minbaseTarball(cacheDir, suite);
  if (existsSync(tarball)) {
    await steps.timed('unpack', () => steps.run(['tar', '--numeric-owner', '-xpf', tarball, '-C', root]));
    return;
  }
  const boot = ['debootstrap', '--variant=minbase', `--cache-dir=${cacheDir}`, '--foreign', suite, root];
  steps.report('download', 'start');
  let at = steps.now();
  let unpacking = false;
  const toUnpack = () => {
    if (unpacking) return;
    unpacking = true;
    steps.phasesMs.download = Math.round(steps.now() - at);
    steps.report('download', 'done', steps.phasesMs.download);
    steps.report('unpack', 'start');
    at = steps.now();
  };
  await steps.run([...boot, ...(archive ? [archive] : [])], {
    onLine: (line) => line.startsWith('I: Extracting') && toUnpack(),
  });
  toUnpack();
  steps.phasesMs.unpack = Math.round(steps.now() - at);
  steps.report('unpack', 'done', steps.phasesMs.unpack);
  await steps.timed('configure', async () => {
    await steps.run(['chroot', root, '/debootstrap/debootstrap', '--second-stage']);
    const temp = `${tarball}.${process.pid}.tmp`;
    await steps.run(['tar', '--numeric-owner', '-C', root, '-cf', temp, '.']);
    renameSync(temp, tarball);
  });
}
