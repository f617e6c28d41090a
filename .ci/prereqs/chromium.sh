#!/usr/bin/env bash
# Debian's Chromium for the WebContainer tests (driven by playwright-core; never `playwright install`).
set -euo pipefail
prereqs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  bash "$prereqs/lib/apt-update.sh"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi
if ! version=$("$chromium" --headless --no-sandbox --disable-gpu --version 2>/dev/null); then
  echo "chromium at $chromium does not run: reinstall it with apt-get install -y chromium" >&2
  exit 1
fi
echo "$version"
