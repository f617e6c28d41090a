#!/usr/bin/env bash
# `apt-get update`, once per run of all.sh: all.sh names a stamp file in SBX_APT_UPDATED; the first prerequisite
# that installs a package updates the package lists and writes the stamp, the next ones skip the update (each
# update re-reads every archive's index: tens of seconds on a fresh machine). Run without it: always updates.
set -euo pipefail
stamp=${SBX_APT_UPDATED:-}
if [ -n "$stamp" ] && [ -e "$stamp" ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
if [ -n "$stamp" ]; then : >"$stamp"; fi
