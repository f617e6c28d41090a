import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { AgentHostError } from '../errors.js';
import type { TemplateDefinition } from './template-schema.js';

// What a sandbox never needs from the rootfs: package lists and archives, docs, man pages.
const PRUNED = [
  'var/cache/apt/archives',
  'var/lib/apt/lists',
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
];

/**
 * Turns a configured debootstrap rootfs into the template's: its unprivileged user (passwd, group, shadow, a
 * home it owns), a login profile that starts no process, its files (never through a symlink: a rootfs link
 * could point at the host), and without the package lists and docs a sandbox does not need.
 */
export function prepareRootfs(root: string, t: TemplateDefinition): void {
  addUser(root, t.user);
  quickLoginProfile(root);
  for (const file of t.files) {
    const target = inside(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.mode ?? 0o644 });
    chmodSync(target, file.mode ?? 0o644);
    if (file.path === t.user.home || file.path.startsWith(`${t.user.home}/`)) {
      chownSync(target, t.user.uid, t.user.uid);
    }
  }
  rmSync(join(root, 'etc/resolv.conf'), { force: true }); // the host's, copied in for apt: the engine gives its own
  for (const dir of PRUNED) {
    const path = join(root, dir);
    if (!existsSync(path)) continue;
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
  }
}

function addUser(root: string, user: TemplateDefinition['user']): void {
  const passwd = join(root, 'etc/passwd');
  const taken = readFileSync(passwd, 'utf8')
    .split('\n')
    .some((line) => line.startsWith(`${user.name}:`) || line.split(':')[2] === String(user.uid));
  if (taken) {
    throw new AgentHostError(
      'TEMPLATE_BUILD_FAILED',
      `user ${user.name} (uid ${user.uid}) already exists in the rootfs: choose another user.name/uid`,
    );
  }
  appendFileSync(passwd, `${user.name}:x:${user.uid}:${user.uid}:${user.name}:${user.home}:/bin/bash\n`);
  appendFileSync(join(root, 'etc/group'), `${user.name}:x:${user.uid}:\n`);
  if (existsSync(join(root, 'etc/shadow')))
    appendFileSync(join(root, 'etc/shadow'), `${user.name}:!:19000::::::\n`);
  const home = inside(root, user.home);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chownSync(home, user.uid, user.uid);
}

/**
 * Debian's /etc/profile runs `$(id -u)` (a fork and an exec) in every login shell, and E2B's SDK runs each
 * command as `bash -l -c CMD`: bash's own `EUID` gives the same answer without a process (measured ~20-40 ms
 * of a loaded box's `bash -l -c 'echo hi'`). Shells without `EUID` (dash) still ask `id`. PATH, HOME and the
 * rest of the login environment are unchanged. A template's own `/etc/profile` (its files) still wins.
 */
export function quickLoginProfile(root: string): void {
  const profile = join(root, 'etc/profile');
  if (!existsSync(profile) || lstatSync(profile).isSymbolicLink()) return;
  const text = readFileSync(profile, 'utf8');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text for the profile, not a JS template
  const quick = text.replaceAll('"$(id -u)"', '"${EUID:-$(id -u)}"');
  if (quick !== text) writeFileSync(profile, quick);
}

/** `path` under `root`, refusing any component that is a symlink. */
function inside(root: string, path: string): string {
  let at = root;
  for (const part of path.split('/').filter(Boolean)) {
    at = join(at, part);
    if (existsSync(at) && lstatSync(at).isSymbolicLink()) {
      throw new AgentHostError(
        'INVALID_CONFIG',
        `template path ${path}: ${at.slice(root.length)} is a symlink in the rootfs`,
      );
    }
  }
  return at;
}
