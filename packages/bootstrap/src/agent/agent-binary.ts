import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Built by `pnpm build` (scripts/build-agent.mjs) into dist/agent/linux-x64; this module is dist/agent/ when
// installed, src/agent/ when the sources run (tests, tsx): both are looked at.
const CANDIDATES = ['./linux-x64/sbx-agent', '../../dist/agent/linux-x64/sbx-agent'];

/** The path of the `sbx-agent` binary shipped in this package (linux-x64), or undefined when it was not built. */
export function defaultAgentBinary(): string | undefined {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * `binary` when it is executable, else a 0755 copy of it in `dir` (`pnpm pack` drops the x bit of files that are
 * not `bin` entries); the copy is reused while its size matches.
 */
export function executableAgentBinary(binary: string, dir: string): string {
  const stat = statSync(binary);
  if (stat.mode & 0o111) return binary;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const copy = join(dir, 'sbx-agent');
  if (statSync(copy, { throwIfNoEntry: false })?.size === stat.size) return copy;
  const temp = `${copy}.${process.pid}.tmp`;
  copyFileSync(binary, temp);
  chmodSync(temp, 0o755);
  renameSync(temp, copy);
  return copy;
}
