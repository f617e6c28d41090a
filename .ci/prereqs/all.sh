#!/usr/bin/env bash
# Everything `pnpm test` needs, installed (Debian packages, when missing) and started, in one command: the Node
# toolchain (pnpm), Go (golang-go, which builds the in-sandbox agent), a Docker engine with runsc (gVisor) and the
# offline image sbx-test/busybox, Chromium, Prometheus/promtool, a PostgreSQL server on 127.0.0.1:5432 with the
# database sbx_test, and the `base` and `node` sandbox templates (built offline with debootstrap from the host's
# Debian archive). CI runs this same script (.ci/run). Run it as root, or as a user with sudo. Exits non-zero
# naming the first that failed.
set -euo pipefail
cd "$(dirname "$0")"
# One `apt-get update` for all of them (lib/apt-update.sh), not one per prerequisite that installs a package.
SBX_APT_UPDATED=$(mktemp -u "${TMPDIR:-/tmp}/sbx-apt-updated.XXXXXX")
export SBX_APT_UPDATED
trap 'rm -f "$SBX_APT_UPDATED"' EXIT
prereqs=(
  node-toolchain.sh
  go.sh
  docker.sh
  chromium.sh
  prometheus.sh
  postgres.sh
  templates.sh
)
for script in "${prereqs[@]}"; do
  echo "::: .ci/prereqs/${script}"
  if ! bash "$script"; then
    echo "prerequisite .ci/prereqs/${script} failed: see its output above" >&2
    exit 1
  fi
done
