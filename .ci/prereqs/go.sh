#!/usr/bin/env bash
# Debian's Go toolchain (golang-go, Go 1.19 on bookworm): `pnpm build` compiles the in-sandbox agent
# (packages/bootstrap/agent, standard library only, no module downloads) with it. Installs only when `go` is
# missing. Exits non-zero when `go` does not run afterwards.
set -euo pipefail
prereqs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v go >/dev/null 2>&1; then
  bash "$prereqs/lib/apt-update.sh"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go
fi
if ! go version >/dev/null 2>&1; then
  echo "go does not run: reinstall it with apt-get install -y golang-go" >&2
  exit 1
fi
go version
