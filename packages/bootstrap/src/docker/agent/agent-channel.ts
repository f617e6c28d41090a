import { chmodSync, chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where the agent's binary and its socket directory appear inside every sandbox. */
export const AGENT_PATHS = Object.freeze({
  binary: '/.sbx/sbx-agent',
  runDir: '/.sbx/run',
  socket: '/.sbx/run/agent.sock',
});

/** The agent's socket on the host, in the sandbox's own directory. */
export function agentSocketPath(sandboxDir: string): string {
  return join(sandboxDir, 'agent.sock');
}

/** Sandbox ids are container names: `sbx-` and hex; nothing else names a directory under the agents dir. */
export const SANDBOX_DIR_NAME = /^sbx-[0-9a-f]{12}$/;

/**
 * Makes `<agentDir>/<sandboxId>` for one sandbox. The agents dir is 0700 (only sbx's own user on the host can
 * reach anything under it). The sandbox's dir is 0700 and owned by the container's uid when sbx can arrange it
 * (the same uid, or sbx runs as root and the user is numeric); otherwise (a named user whose uid the host does
 * not know, or root in the container without CAP_DAC_OVERRIDE under a non-root host) it is 0777: its 0700
 * parent still keeps every other host user out, and inside the container it is the sandbox's own.
 */
export function makeSandboxDir(agentDir: string, sandboxId: string, user: string | undefined): string {
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  chmodSync(agentDir, 0o700);
  const dir = join(agentDir, sandboxId);
  mkdirSync(dir, { mode: 0o700 });
  const { uid, gid } = numericUser(user);
  const hostUid = process.getuid?.() ?? -1;
  if (uid === hostUid) return dir;
  if (uid !== undefined && hostUid === 0) {
    chownSync(dir, uid, gid ?? uid);
    return dir;
  }
  chmodSync(dir, 0o777);
  return dir;
}

/** Removes a sandbox's agent directory (its socket with it); nothing when it is already gone. */
export function removeSandboxDir(agentDir: string, sandboxId: string): void {
  if (!SANDBOX_DIR_NAME.test(sandboxId)) return;
  rmSync(join(agentDir, sandboxId), { recursive: true, force: true });
}

// `1000`, `1000:1000`: numbers; a name (or nothing: the image's default, root unless it says) is not known here.
function numericUser(user: string | undefined): { uid?: number; gid?: number } {
  if (user === undefined || user === '') return { uid: 0, gid: 0 };
  const [name, group] = user.split(':');
  if (!/^\d+$/.test(name ?? '')) return {};
  const uid = Number(name);
  return { uid, ...(group !== undefined && /^\d+$/.test(group) ? { gid: Number(group) } : {}) };
}
