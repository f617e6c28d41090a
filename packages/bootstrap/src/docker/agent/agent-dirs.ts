import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@sbx/timing';
import type { ManagedContainer } from '../managed-containers.js';
import { removeSandboxDir, SANDBOX_DIR_NAME } from './agent-channel.js';
import type { AgentDeps } from './provision-agent.js';

// A directory this young may belong to a sandbox another host process is creating right now.
const MIN_AGE_MS = 60_000;

/**
 * Removes the agent directories under `agent.dir` whose sandbox no longer exists on the engine (any owner), except
 * those being provisioned here or younger than a minute. Problems are logged, never thrown (a sweep is cleanup).
 */
export async function sweepAgentDirs(
  agent: AgentDeps,
  listManaged: () => Promise<ManagedContainer[]>,
  logger: Logger,
): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(agent.dir).filter((name) => SANDBOX_DIR_NAME.test(name));
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  try {
    const live = new Set((await listManaged()).map((c) => c.sandboxId));
    const now = Date.now();
    const removed: string[] = [];
    for (const name of names) {
      if (live.has(name) || agent.inFlight.has(name)) continue;
      const age = now - (statSync(join(agent.dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < MIN_AGE_MS) continue;
      removeSandboxDir(agent.dir, name);
      removed.push(name);
    }
    return removed;
  } catch (error) {
    logger.warn('could not sweep the agent directories of gone sandboxes', { error: String(error) });
    return [];
  }
}
