#!/usr/bin/env bash
# The sandbox templates the integration tests run (`base` and `node`), built offline from Debian with
# `sbx template build`: installs debootstrap when missing, builds the CLI, then builds the templates as root
# (debootstrap and chroot need it) with the package cache in .ci-cache/templates (kept within the run; set
# SBX_TEMPLATE_CACHE to keep it elsewhere). A template whose content hash is built is skipped in seconds.
# The archive is the one the host's apt configuration names (or debootstrap's default). SBX_CI_TEMPLATES
# overrides the list (e.g. "base node python"). Exits non-zero when a build fails.
set -euo pipefail
prereqs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$(dirname "$0")/../.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo --preserve-env=SBX_HOME,DOCKER_HOST "$@"; fi
}

if ! command -v debootstrap >/dev/null 2>&1 && [ ! -x /usr/sbin/debootstrap ]; then
  bash "$prereqs/lib/apt-update.sh"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi
# The CLI that builds them (pnpm test builds again later: turbo replays it from its cache).
pnpm install --frozen-lockfile
pnpm exec turbo run build --filter=@sbx/agent-host... --output-logs=errors-only

cache="${SBX_TEMPLATE_CACHE:-$PWD/.ci-cache/templates}"
mkdir -p "$cache"
started=$SECONDS
# shellcheck disable=SC2086
as_root env PATH="/usr/sbin:/sbin:$PATH" node apps/agent-host/dist/cli.js template build ${SBX_CI_TEMPLATES:-base node} \
  --cache-dir "$cache"
echo "templates built in $((SECONDS - started)) s"
as_root node apps/agent-host/dist/cli.js template ls
