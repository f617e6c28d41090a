import { spawn } from 'node:child_process';

/**
 * Last resort before an immediate exit: starts `docker rm -f -v` on these containers (and their anonymous volumes) in a detached process that
 * outlives this one (best effort: without the docker CLI nothing happens, and `sbx reap` removes them later).
 */
export function abandonContainers(names: readonly string[]): void {
  if (names.length === 0) return;
  try {
    const child = spawn('docker', ['rm', '-f', '-v', ...names], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no docker CLI: reap will do it
  }
}
