import { existsSync } from 'node:fs';
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
