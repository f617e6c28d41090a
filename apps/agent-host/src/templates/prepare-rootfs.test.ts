import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quickLoginProfile } from './prepare-rootfs.js';

// Debian bookworm's /etc/profile (base-files), as the templates' rootfs has it.
const DEBIAN_PROFILE = `# /etc/profile: system-wide .profile file for the Bourne shell (sh(1))
# and Bourne compatible shells (bash(1), ksh(1), ash(1), ...).

if [ "$(id -u)" -eq 0 ]; then
  PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
else
  PATH="/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
fi
export PATH

if [ "\${PS1-}" ]; then
  if [ "\${BASH-}" ] && [ "$BASH" != "/bin/sh" ]; then
    # The file bash.bashrc already sets the default PS1.
    # PS1='\\h:\\w\\$ '
    if [ -f /etc/bash.bashrc ]; then
      . /etc/bash.bashrc
    fi
  else
    if [ "$(id -u)" -eq 0 ]; then
      PS1='# '
    else
      PS1='$ '
    fi
  fi
fi

if [ -d /etc/profile.d ]; then
  for i in /etc/profile.d/*.sh; do
    if [ -r $i ]; then
      . $i
    fi
  done
  unset i
fi
`;

function rootWith(profile: string): string {
  const root = mkdtempSync(join(tmpdir(), 'sbx-rootfs-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/profile'), profile);
  return root;
}

describe('quickLoginProfile', () => {
  it("answers the uid from bash's EUID (no process), and the login PATH is the same for bash and sh", () => {
    const root = rootWith(DEBIAN_PROFILE);
    quickLoginProfile(root);
    const quick = readFileSync(join(root, 'etc/profile'), 'utf8');
    expect(quick).not.toContain('"$(id -u)"');
    expect(quick.match(/"\$\{EUID:-\$\(id -u\)\}"/g)).toHaveLength(2);
    const old = join(root, 'old-profile');
    writeFileSync(old, DEBIAN_PROFILE);
    for (const shell of ['bash', 'sh']) {
      const path = (file: string) =>
        execFileSync(shell, ['-c', `PATH=/usr/bin:/bin; . ${file}; echo "$PATH"`], { encoding: 'utf8' });
      expect(path(join(root, 'etc/profile'))).toBe(path(old));
    }
  });

  it('leaves a profile without the call, or none, as it is', () => {
    const root = rootWith('export PATH=/bin\n');
    quickLoginProfile(root);
    expect(readFileSync(join(root, 'etc/profile'), 'utf8')).toBe('export PATH=/bin\n');
    expect(() => quickLoginProfile(mkdtempSync(join(tmpdir(), 'sbx-rootfs-')))).not.toThrow();
  });
});
