#!/usr/bin/env bash
# Debian's Prometheus for the metrics tests: `prometheus` (scraped by an integration test on loopback, with its
# own temp data folder) and `promtool` (checks the rules file and a live scrape). Installs only when missing;
# never starts the packaged service. Exits non-zero when either binary does not run.
set -euo pipefail
prereqs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  bash "$prereqs/lib/apt-update.sh"
  # policy-rc.d (when present) keeps the package's service from starting; the tests start their own.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
fi
for bin in prometheus promtool; do
  if ! "$bin" --version >/dev/null 2>&1; then
    echo "$bin does not run: reinstall it with apt-get install -y prometheus" >&2
    exit 1
  fi
done
prometheus --version 2>&1 | head -n 1
promtool --version 2>&1 | head -n 1
